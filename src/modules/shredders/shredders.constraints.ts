import type { EventRecord } from '../events/events.repository';

export const EVENT_NOT_OVER = 'Your event needs to be over to use this feature.';
export const SHOP_LIVE = 'Your ticket shop needs to be offline to use this feature.';

/**
 * pretix's shred_constraints: the event must be over (its end, else its start, is in the past; an event
 * series is judged by its latest date — tixport has no dates of series, so a series passes as pretix's does
 * when it has none) and the shop offline. The first that fails, or null.
 */
export function shredConstraint(event: EventRecord, now = new Date()): string | null {
  if (!event.has_subevents && new Date(event.date_to ?? event.date_from) >= now) return EVENT_NOT_OVER;
  if (event.live) return SHOP_LIVE;
  return null;
}
