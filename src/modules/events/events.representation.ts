import type { Config } from '../../config';
import { formatDateTime } from '../../shared/api-datetime';
import type { OrganizerRow } from '../access/access.service';
import { DEFAULT_LANGUAGE, SALES_CHANNELS } from '../../shared/reference-data';
import type { EventRecord, EventsRepository } from './events.repository';
import type { PluginRegistry } from './plugins';

/** i18n values are stored as sent: a plain string is the default language's text. */
export function i18nOut(value: unknown): Record<string, string> | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return { [DEFAULT_LANGUAGE]: value };
  return value as Record<string, string>;
}

export interface RepresentationOptions {
  /** Event-scoped responses (detail, update, /clone/) carry `valid_keys`; lists and POST-create do not. */
  validKeys?: boolean;
  /** With `with_availability_for`, each event carries `best_availability_state`. */
  availability?: boolean;
}

/** Turns event rows into pretix's event resource, fetching meta data per page rather than per row. */
export class EventRepresentation {
  constructor(
    private readonly config: Config,
    private readonly repository: EventsRepository,
    private readonly plugins: PluginRegistry,
  ) {}

  async many(rows: EventRecord[], organizer: OrganizerRow, options: RepresentationOptions = {}) {
    const ids = rows.map((row) => row.id);
    const [meta, itemMeta, availability] = await Promise.all([
      this.repository.metaValues(ids),
      this.repository.itemMetaProperties(ids),
      options.availability ? this.repository.bestAvailability(ids) : Promise.resolve(new Map<number, null>()),
    ]);
    return rows.map((row) => {
      const resource: Record<string, unknown> = {
        name: i18nOut(row.name),
        slug: row.slug,
        live: row.live,
        testmode: row.testmode,
        currency: row.currency,
        date_from: formatDateTime(row.date_from),
        date_to: formatDateTime(row.date_to),
        date_admission: formatDateTime(row.date_admission),
        is_public: row.is_public,
        presale_start: formatDateTime(row.presale_start),
        presale_end: formatDateTime(row.presale_end),
        location: i18nOut(row.location),
        geo_lat: row.geo_lat,
        geo_lon: row.geo_lon,
        has_subevents: row.has_subevents,
        meta_data: Object.fromEntries(
          meta.filter((value) => value.event_id === row.id).map((value) => [value.name, value.value]),
        ),
        seating_plan: null,
        plugins: this.plugins.visible(row.plugins),
        seat_category_mapping: {},
        timezone: row.timezone,
        item_meta_properties: Object.fromEntries(
          itemMeta.filter((property) => property.event_id === row.id).map((p) => [p.name, p.default]),
        ),
      };
      // tixport holds no signing keys yet; pretix answers an empty list then.
      if (options.validKeys) resource.valid_keys = { pretix_sig1: [] };
      resource.all_sales_channels = row.all_sales_channels;
      resource.limit_sales_channels = row.all_sales_channels ? [] : [...row.limit_sales_channels].sort();
      if (options.availability) resource.best_availability_state = availability.get(row.id) ?? null;
      resource.public_url = `${this.config.SITE_URL}/${organizer.slug}/${row.slug}/`;
      resource.sales_channels = row.all_sales_channels
        ? [...SALES_CHANNELS]
        : [...row.limit_sales_channels].sort();
      return resource;
    });
  }

  async one(row: EventRecord, organizer: OrganizerRow, options: RepresentationOptions = {}) {
    const [resource] = await this.many([row], organizer, options);
    return resource!;
  }
}
