import { checkinlist } from './checkinlist';
import type { Exporter } from './define';
import { eventdata } from './eventdata';
import { itemdata } from './itemdata';
import { json } from './json';
import { mailaddrsEvent, mailaddrsOrganizer } from './mailaddrs';
import { orderlistEvent, orderlistOrganizer } from './orderlist';
import { paymentlistEvent, paymentlistOrganizer } from './paymentlist';
import { quotalist } from './quotalist';
import { waitinglistEvent, waitinglistOrganizer } from './waitinglist';

/**
 * The one explicit list of exporters. Adding an exporter is one file plus one line here; the API lists them
 * per level, sorted by verbose name.
 */
export const EXPORTERS: readonly Exporter[] = [
  mailaddrsEvent,
  mailaddrsOrganizer,
  orderlistEvent,
  orderlistOrganizer,
  json,
  itemdata,
  paymentlistEvent,
  paymentlistOrganizer,
  quotalist,
  checkinlist,
  waitinglistEvent,
  waitinglistOrganizer,
  eventdata,
];

export function findExporter(scope: 'event' | 'organizer', identifier: string): Exporter | undefined {
  return EXPORTERS.find((exporter) => exporter.scope === scope && exporter.identifier === identifier);
}
