import type { Exporter } from './define';
import { mailaddrsEvent, mailaddrsOrganizer } from './mailaddrs';
import { orderlistEvent, orderlistOrganizer } from './orderlist';

/**
 * The one explicit list of exporters. Adding an exporter is one file plus one line here; the API lists them
 * per level, sorted by verbose name.
 */
export const EXPORTERS: readonly Exporter[] = [
  mailaddrsEvent,
  mailaddrsOrganizer,
  orderlistEvent,
  orderlistOrganizer,
];

export function findExporter(scope: 'event' | 'organizer', identifier: string): Exporter | undefined {
  return EXPORTERS.find((exporter) => exporter.scope === scope && exporter.identifier === identifier);
}
