import type { Knex } from 'knex';
import { toFieldErrors } from '../../shared/validation';
import { isForeignKeyViolation, isUniqueViolation, type Db } from '../../platform/db';
import { PermissionDenied, ValidationError, type FieldErrors } from '../../shared/errors';
import type { AccessService, EventAccess, OrganizerAccess, OrganizerRow } from '../access/access.service';
import type { Permission } from '../access/permissions';
import type { Principal } from '../access/principal';
import type { MetaPropertiesService, MetaPropertyRow } from '../organizers/meta-properties.service';
import { NEW_EVENT_SETTINGS } from '../settings/settings.registry';
import type { SettingsService } from '../settings/settings.service';
import { reachNewEvent } from '../teams/teams.repository';
import { EventBody, REQUIRED_ON_CREATE } from './events.schemas';
import type { EventRecord, EventsRepository } from './events.repository';
import { DEFAULT_EVENT_PLUGINS, type PluginRegistry } from './plugins';
import { DEFAULT_TIMEZONE, SALES_CHANNELS } from '../../shared/reference-data';

type Mode = 'create' | 'patch' | 'put';

/** A body that passed every check, with the sales-channel fields already resolved from the legacy one. */
interface ValidBody extends EventBody {
  /** The keys the client sent; pretix decides several things on presence rather than value. */
  sent: ReadonlySet<string>;
}

interface ValidationContext {
  organizer: OrganizerRow;
  /** Permissions of the caller on the organizer (protected meta data needs can_change_organizer_settings). */
  permissions: ReadonlySet<Permission>;
  current?: EventRecord;
}

/** How a new event is seeded from an existing one. */
interface CloneSource {
  event: EventRecord;
  /** `?clone_from=` keeps the source's sales channels; `/clone/` takes them from the body when sent. */
  route: 'clone_from' | 'clone_endpoint';
}

const DELETE_WITH_ORDERS =
  "The event can not be deleted as it already contains orders. Please set 'live' to false to hide the event and take the shop offline instead.";
const DELETE_CONSTRAINED =
  'The event could not be deleted as some constraints (e.g. data created by plug-ins) do not allow it.';

/**
 * Legacy flags a user needs on a source event of another organizer to copy it: everything pretix's
 * cross-organizer clone requires except orders and vouchers, i.e. the settings and the products.
 */
const CROSS_ORGANIZER_COPY: readonly Permission[] = ['can_change_event_settings', 'can_change_items'];

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((entry) => b.includes(entry));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class EventsService {
  constructor(
    private readonly db: Db,
    private readonly repository: EventsRepository,
    private readonly access: AccessService,
    private readonly settings: SettingsService,
    private readonly metaProperties: MetaPropertiesService,
    private readonly plugins: PluginRegistry,
  ) {}

  /** POST …/events/ with an optional `?clone_from=<slug>|<org>/<slug>`. */
  async create(
    access: OrganizerAccess,
    principal: Principal,
    body: unknown,
    cloneFrom: string | undefined,
  ): Promise<EventRecord> {
    const valid = await this.validate(body, 'create', {
      organizer: access.organizer,
      permissions: access.permissions,
    });
    let source: CloneSource | undefined;
    if (cloneFrom !== undefined) {
      const sourceAccess = await this.findCloneSource(principal, access.organizer, cloneFrom);
      if (
        sourceAccess.organizer.id !== access.organizer.id &&
        !CROSS_ORGANIZER_COPY.every((flag) => sourceAccess.permissions.has(flag))
      )
        throw new PermissionDenied('Not sufficient permission on source event to copy');
      source = { event: sourceAccess.event as EventRecord, route: 'clone_from' };
    }
    return this.insert(access, principal, valid, source);
  }

  /** POST …/events/{src}/clone/: the caller changes {src}'s settings; creating needs can_create_events. */
  async cloneEndpoint(access: EventAccess, principal: Principal, body: unknown): Promise<EventRecord> {
    const valid = await this.validate(body, 'create', {
      organizer: access.organizer,
      permissions: access.permissions,
    });
    const organizerAccess = await this.access.organizerAccess(principal, access.organizer.slug);
    if (!organizerAccess.permissions.has('can_create_events'))
      throw new PermissionDenied('No permission to create events');
    const source = await this.repository.byId(access.event.id);
    return this.insert(organizerAccess, principal, valid, { event: source, route: 'clone_endpoint' });
  }

  async update(access: EventAccess, body: unknown, mode: 'patch' | 'put'): Promise<EventRecord> {
    const current = await this.repository.byId(access.event.id);
    const valid = await this.validate(body, mode, {
      organizer: access.organizer,
      permissions: access.permissions,
      current,
    });
    const columns = this.columns(valid);
    delete columns.slug;
    delete columns.has_subevents;
    await this.db.transaction(async (trx) => {
      await this.repository.update(trx, current.id, columns);
      if (valid.meta_data !== undefined)
        await this.writeMeta(trx, current.id, access.organizer.id, valid.meta_data, access.permissions);
      if (valid.item_meta_properties !== undefined)
        await this.repository.replaceItemMetaProperties(trx, current.id, valid.item_meta_properties);
    });
    return this.repository.byId(current.id);
  }

  async delete(access: EventAccess): Promise<void> {
    if (await this.repository.hasOrders(access.event.id)) throw new PermissionDenied(DELETE_WITH_ORDERS);
    try {
      await this.db.transaction((trx) => this.repository.delete(trx, access.event.id));
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new PermissionDenied(DELETE_CONSTRAINED);
      throw error;
    }
  }

  /** The source of `?clone_from=` among the events the caller reaches; pretix answers a bare list when missing. */
  private async findCloneSource(
    principal: Principal,
    organizer: OrganizerRow,
    cloneFrom: string,
  ): Promise<EventAccess> {
    const [organizerSlug, eventSlug] = cloneFrom.includes('/')
      ? (cloneFrom.split('/', 2) as [string, string])
      : [organizer.slug, cloneFrom];
    try {
      return await this.access.eventAccess(principal, organizerSlug, eventSlug);
    } catch (error) {
      if (error instanceof PermissionDenied) throw new ValidationError(['Event to copy from was not found']);
      throw error;
    }
  }

  private async insert(
    access: OrganizerAccess,
    principal: Principal,
    valid: ValidBody,
    source: CloneSource | undefined,
  ): Promise<EventRecord> {
    const organizerId = access.organizer.id;
    const columns = this.columns(valid);
    const from = source?.event;
    const sent = (key: string) => valid.sent.has(key);
    const timezone =
      valid.timezone ??
      from?.timezone ??
      (await this.settings.organizerValue(organizerId, 'timezone')) ??
      DEFAULT_TIMEZONE;
    Object.assign(columns, {
      organizer_id: organizerId,
      live: false,
      timezone,
      plugins: valid.plugins ?? from?.plugins ?? [...DEFAULT_EVENT_PLUGINS],
    });
    if (from) {
      if (!sent('is_public')) columns.is_public = from.is_public;
      if (!sent('testmode')) columns.testmode = from.testmode;
      if (!sent('has_subevents')) columns.has_subevents = from.has_subevents;
      if (source.route === 'clone_from' || valid.all_sales_channels === undefined) {
        columns.all_sales_channels = from.all_sales_channels;
        columns.limit_sales_channels = from.all_sales_channels ? [] : from.limit_sales_channels;
      }
      // `?clone_from=` honours a sent null; `/clone/` takes the admission from the body only when non-null.
      const keepSent =
        sent('date_admission') && (valid.date_admission !== null || source.route === 'clone_from');
      if (!keepSent) {
        // The admission keeps its distance to the start, as pretix's copy does.
        columns.date_admission = from.date_admission
          ? new Date(
              from.date_admission.getTime() +
                ((valid.date_from as Date).getTime() - from.date_from.getTime()),
            )
          : null;
      }
    }
    try {
      return await this.db.transaction(async (trx) => {
        const event = await this.repository.insert(trx, columns);
        if (valid.meta_data !== undefined) {
          await this.writeMeta(trx, event.id, organizerId, valid.meta_data, access.permissions);
        } else if (from) {
          const values = await this.repository.metaValues([from.id], trx);
          const sameOrganizer = from.organizer_id === organizerId;
          const properties = await this.metaProperties.byName(organizerId, trx);
          // Across organizers, values are matched by property name; names the target lacks are dropped.
          const byTarget = new Map<number, string>();
          for (const value of values) {
            const target = sameOrganizer ? value.property_id : properties.get(value.name)?.id;
            if (target !== undefined) byTarget.set(target, value.value);
          }
          await this.repository.replaceMetaValues(trx, event.id, byTarget, []);
        }
        if (valid.item_meta_properties !== undefined) {
          await this.repository.replaceItemMetaProperties(trx, event.id, valid.item_meta_properties);
        } else if (from) {
          const properties = await this.repository.itemMetaProperties([from.id], trx);
          await this.repository.replaceItemMetaProperties(
            trx,
            event.id,
            Object.fromEntries(properties.map((p) => [p.name, p.default])),
          );
        }
        if (from) {
          await this.settings.copyEvent(trx, from.id, event.id);
          await this.repository.copyTicketingData(trx, from.id, event.id);
        } else {
          await this.settings.initializeEvent(trx, event.id, NEW_EVENT_SETTINGS);
        }
        // A token of a team limited to some events must reach what it just created, as in pretix.
        if (principal.kind === 'team_token') await reachNewEvent(trx, principal.teamId, event.id);
        return event;
      });
    } catch (error) {
      // Two creates racing for one slug: the loser gets the same message as a sequential duplicate.
      if (isUniqueViolation(error))
        throw ValidationError.field('slug', 'This slug has already been used for a different event.');
      throw error;
    }
  }

  /** Event columns from the plain fields of a valid body (only the keys that were sent). */
  private columns(valid: ValidBody): Record<string, unknown> {
    const columns: Record<string, unknown> = {};
    const plain = [
      'slug',
      'live',
      'testmode',
      'currency',
      'date_from',
      'date_to',
      'date_admission',
      'is_public',
      'presale_start',
      'presale_end',
      'geo_lat',
      'geo_lon',
      'has_subevents',
      'plugins',
      'timezone',
      'all_sales_channels',
      'limit_sales_channels',
    ] as const;
    for (const key of plain) if (valid[key] !== undefined) columns[key] = valid[key];
    if (valid.name !== undefined) columns.name = JSON.stringify(valid.name);
    if (valid.location !== undefined)
      columns.location = valid.location === null ? null : JSON.stringify(valid.location);
    if (valid.all_sales_channels === true) columns.limit_sales_channels = [];
    return columns;
  }

  /** Full replacement of the event's meta data; protected values stay unless the caller may change them. */
  private async writeMeta(
    trx: Knex,
    eventId: number,
    organizerId: number,
    metaData: Record<string, string>,
    permissions: ReadonlySet<Permission>,
  ): Promise<void> {
    const properties = await this.metaProperties.byName(organizerId, trx);
    const mayProtect = permissions.has('can_change_organizer_settings');
    const values = new Map<number, string>();
    for (const [name, value] of Object.entries(metaData)) {
      const property = properties.get(name)!;
      if (property.protected && !mayProtect) continue;
      // An empty value means "not set", so that the organizer's default applies again.
      if (value !== '') values.set(property.id, value);
    }
    const keep = mayProtect ? [] : [...properties.values()].filter((p) => p.protected).map((p) => p.id);
    await this.repository.replaceMetaValues(trx, eventId, values, keep);
  }

  /**
   * DRF's order: every field is checked and all field errors are answered together; the cross-field rules run
   * only when the fields are fine.
   */
  private async validate(body: unknown, mode: Mode, context: ValidationContext): Promise<ValidBody> {
    if (!isPlainObject(body)) {
      const type = Array.isArray(body) ? 'list' : typeof body;
      throw new ValidationError({
        non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`],
      });
    }
    const parsed = EventBody.safeParse(body);
    const errors: FieldErrors = parsed.success ? {} : toFieldErrors(parsed.error, body);
    let data = (parsed.success ? parsed.data : {}) as EventBody;
    if (!parsed.success) {
      // Keep the values of the fields that did parse, for the checks below.
      const retry = EventBody.safeParse(
        Object.fromEntries(Object.entries(body).filter(([key]) => !Object.hasOwn(errors, key))),
      );
      if (retry.success) data = retry.data;
    }
    if (mode !== 'patch')
      for (const key of REQUIRED_ON_CREATE)
        if (body[key] === undefined) errors[key] = ['This field is required.'];
    const add = (key: string, message: string) => {
      if (!Object.hasOwn(errors, key)) errors[key] = [message];
    };
    await this.checkFields(data, mode, context, add);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    const sent = new Set(Object.keys(body));
    const fail = (key: string, message: string) => {
      throw new ValidationError({ [key]: [message] });
    };
    if (sent.has('date_from') && sent.has('date_to') && data.date_to && data.date_from! > data.date_to)
      fail('non_field_errors', 'The event cannot end before it starts.');
    if (data.presale_start && data.presale_end && data.presale_start > data.presale_end)
      fail('non_field_errors', "The event's presale cannot end before it starts.");
    if (data.sales_channels !== undefined) {
      const legacy = data.sales_channels;
      if (data.all_sales_channels && !sameSet(legacy, SALES_CHANNELS))
        fail(
          'all_sales_channels',
          "If 'all_sales_channels' is set, the legacy attribute 'sales_channels' must not be set or set to the list of all sales channels.",
        );
      if (data.limit_sales_channels?.length && !sameSet(legacy, data.limit_sales_channels))
        fail(
          'limit_sales_channels',
          "If 'limit_sales_channels' is set, the legacy attribute 'sales_channels' must not be set or set to the same list.",
        );
      const unknown = legacy.find((channel) => !SALES_CHANNELS.includes(channel));
      if (unknown !== undefined) fail('sales_channels', `Object with identifier=${unknown} does not exist.`);
      const all = sameSet(legacy, SALES_CHANNELS);
      data.all_sales_channels = all;
      data.limit_sales_channels = all ? [] : [...new Set(legacy)];
    }
    return { ...data, sent };
  }

  /** The field checks that need the database or the stored event. */
  private async checkFields(
    data: EventBody,
    mode: Mode,
    context: ValidationContext,
    add: (key: string, message: string) => void,
  ): Promise<void> {
    const { current, organizer } = context;
    if (data.slug !== undefined) {
      if (current && data.slug !== current.slug) add('slug', 'The event slug cannot be changed.');
      if (!current && (await this.repository.bySlug(organizer.id, data.slug)))
        add('slug', 'This slug has already been used for a different event.');
    }
    if (data.has_subevents !== undefined && current && data.has_subevents !== current.has_subevents)
      add('has_subevents', 'Once created an event cannot change between an series and a single event.');
    if (data.meta_data !== undefined) {
      const message = this.checkMeta(data.meta_data, await this.metaProperties.byName(organizer.id));
      if (message) add('meta_data', message);
    }
    if (data.plugins !== undefined) {
      const message = this.plugins.check(data.plugins, {
        eventPlugins: new Set(current?.plugins ?? []),
        organizerPlugins: new Set(
          (await this.settings.organizerValue(organizer.id, 'plugins')) as string[] | undefined,
        ),
        allowedRestricted: new Set(
          (await this.settings.organizerValue(organizer.id, 'allowed_restricted_plugins')) as
            string[] | undefined,
        ),
      });
      if (message) add('plugins', message);
    }
    if (data.seat_category_mapping !== undefined && Object.keys(data.seat_category_mapping).length > 0) {
      if (!current)
        add('seat_category_mapping', 'You cannot specify seat category mappings on event creation.');
      else {
        const ids = Object.values(data.seat_category_mapping).filter((id): id is number => id !== null);
        const existing = await this.repository.existingItemIds(current.id, ids);
        const missing = ids.find((id) => !existing.has(id));
        if (missing !== undefined) add('seat_category_mapping', `Item '${missing}' does not exist.`);
      }
    }
    if (data.live === true) {
      if (mode === 'create')
        add(
          'live',
          "Events cannot be created as 'live'. Quotas and payment must be added to the event before sales can go live.",
        );
      else if (current && !current.live) {
        const issue = await this.liveIssue(current, data, organizer.id);
        if (issue) add('live', issue);
      }
    }
  }

  private checkMeta(
    metaData: Record<string, string>,
    properties: ReadonlyMap<string, MetaPropertyRow>,
  ): string | null {
    for (const [name, value] of Object.entries(metaData)) {
      const property = properties.get(name);
      if (!property) return `Meta data property '${name}' does not exist.`;
      if (property.allowed_values && value !== '' && !property.allowed_values.includes(value))
        return `Meta data property '${name}' does not allow value '${value}'.`;
    }
    return null;
  }

  /** pretix's go-live checks in its order; the first failing one is reported. */
  private async liveIssue(
    current: EventRecord,
    data: EventBody,
    organizerId: number,
  ): Promise<string | null> {
    const plugins = data.plugins ?? current.plugins;
    const currency = data.currency ?? current.currency;
    if (await this.repository.hasPaidItems(current.id)) {
      let paying = false;
      for (const provider of this.plugins.payingProviders(plugins))
        if (await this.settings.paymentProviderEnabled(current, provider)) paying = true;
      if (!paying)
        return 'You have configured at least one paid product but have not enabled any payment methods.';
      if (currency === 'XXX')
        return 'You have configured at least one paid product but have not configured a currency.';
    }
    if (!(await this.repository.hasQuota(current.id)))
      return 'You need to configure at least one quota to sell anything.';
    const properties = await this.metaProperties.byName(organizerId);
    const own = new Map(
      (await this.repository.metaValues([current.id])).map((value) => [value.name, value.value]),
    );
    for (const property of properties.values()) {
      const value = data.meta_data !== undefined ? data.meta_data[property.name] : own.get(property.name);
      if (property.required && !(value || property.default))
        return `You need to fill the meta parameter "${property.name}".`;
    }
    return null;
  }
}
