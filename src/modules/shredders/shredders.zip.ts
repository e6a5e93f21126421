import { Readable, type Writable } from 'node:stream';
import archiver from 'archiver';
import { pythonJson } from './json';
import type { ShredExportContext, Shredder } from './shredders/define';

export interface ZipIndex {
  instance: string;
  organizer: string;
  event: string;
  time: string;
  shredders: string[];
  confirm_code: string;
}

/** Appends one entry and resolves once archiver has taken all of it (entries are read one after another). */
function addEntry(archive: archiver.Archiver, name: string, content: Readable, date: Date): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      archive.off('entry', done);
      reject(error);
    };
    const done = () => {
      content.off('error', fail);
      archive.off('error', fail);
      resolve();
    };
    content.once('error', fail);
    archive.once('error', fail);
    archive.once('entry', done);
    archive.append(content, { name, date });
  });
}

function asStream(content: Readable | AsyncIterable<string>): Readable {
  return content instanceof Readable ? content : Readable.from(content, { objectMode: false });
}

/**
 * Streams the shred ZIP into `out` (not ending it): CONFIRM_CODE.txt, every selected shredder's files (each
 * produced only when its turn comes, so the export's one snapshot connection runs one query at a time), and
 * index.json last — which names the stored files that storage no longer had, if any.
 */
export async function writeShredZip(
  out: Writable,
  ctx: ShredExportContext,
  shredders: readonly Shredder[],
  index: ZipIndex,
  progress: (fraction: number) => Promise<void>,
): Promise<void> {
  const archive = archiver('zip', { zlib: { level: 6 } });
  const finished = new Promise<void>((resolve, reject) => {
    archive.once('end', resolve);
    archive.once('error', reject);
    archive.on('warning', reject);
  });
  finished.catch(() => undefined);
  archive.pipe(out, { end: false });
  const date = new Date(index.time);
  try {
    await addEntry(archive, 'CONFIRM_CODE.txt', Readable.from([index.confirm_code]), date);
    const missing: string[] = [];
    for (const [i, shredder] of shredders.entries()) {
      for await (const file of shredder.files(ctx)) {
        const content = await file.content();
        if (content === null) missing.push(file.name);
        else await addEntry(archive, file.name, asStream(content), date);
      }
      await progress((i + 1) / (shredders.length + 1));
    }
    const document = missing.length > 0 ? { ...index, missing_files: missing } : index;
    await addEntry(archive, 'index.json', Readable.from([pythonJson(document)]), date);
    await archive.finalize();
    await finished;
  } catch (error) {
    archive.abort();
    throw error;
  }
}
