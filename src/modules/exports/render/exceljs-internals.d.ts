/**
 * The part of exceljs' streaming worksheet writer xlsx.ts extends: it writes a sheet's opening XML (sheetPr,
 * sheetViews, …) from its constructor, through this method, and never writes `<dimension>` (see xlsx.ts).
 */
declare module 'exceljs/lib/stream/xlsx/worksheet-writer' {
  interface XmlBuffer {
    addText(text: string): void;
  }
  class WorksheetWriter {
    _writeSheetProperties(xmlBuf: XmlBuffer, properties: Record<string, unknown>, pageSetup: unknown): void;
  }
  export = WorksheetWriter;
}
