import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { ValidationError, type FieldErrors } from '../../shared/errors';
import type { EventAccess, EventRow, OrganizerAccess } from '../access/access.service';
import type { Permission } from '../access/permissions';
import { SALES_CHANNELS } from '../../shared/reference-data';
import { resolveRelative, type RelativeBase } from './setting-types';
import { EVENT_SCOPE, ORGANIZER_SCOPE, SettingsRepository } from './settings.repository';
import { SETTINGS, SETTINGS_BY_KEY, type SettingPermission } from './settings.registry';

/** Under pretix's legacy team flags, every finer settings permission comes with "Can change event settings". */
const LEGACY_FLAG: Record<SettingPermission, Permission> = {
  'event.settings.payment:write': 'can_change_event_settings',
  'event.settings.tax:write': 'can_change_event_settings',
  'event.settings.invoicing:write': 'can_change_event_settings',
};

type Level = 'event' | 'organizer';
type Values = Record<string, unknown>;

const COLUMN_SETTINGS = SETTINGS.filter((definition) => definition.eventColumn !== undefined);

export interface ExplainedSetting {
  value: unknown;
  label: string;
  help_text: string | null;
  readonly: boolean;
}

/** The `?explain` form: pretix's label, help text and read-only flag around each value. */
export function explain(values: Values): Record<string, ExplainedSetting> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      const definition = SETTINGS_BY_KEY.get(key)!;
      return [
        key,
        {
          value,
          label: definition.label,
          help_text: definition.helpText,
          readonly: definition.readonly ?? false,
        },
      ];
    }),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * pretix's cross-setting rules, run on the merged values; the first failure wins, keyed by the setting at fault.
 * `event` is given on event level, for the rules that compare with the event's dates.
 */
function crossCheck(values: Values, event?: EventRow): FieldErrors | null {
  const locales = values.locales as string[];
  if (!locales.includes(values.locale as string))
    return { locale: ['Your default locale must also be enabled for your event (see box above).'] };
  if (values.attendee_names_required && !values.attendee_names_asked)
    return {
      attendee_names_required: ['You cannot require specifying attendee names if you do not ask for them.'],
    };
  if (values.attendee_emails_required && !values.attendee_emails_asked)
    return {
      attendee_emails_required: ['You have to ask for attendee emails if you want to make them required.'],
    };
  if (values.invoice_address_required && !values.invoice_address_asked)
    return {
      invoice_address_required: ['You have to ask for invoice addresses if you want to make them required.'],
    };
  if (values.invoice_address_company_required && !values.invoice_address_required)
    return {
      invoice_address_company_required: [
        'You have to require invoice addresses to require for company names.',
      ],
    };
  if (event && typeof values.payment_term_last === 'string' && event.presale_end) {
    const dates = Object.fromEntries(
      (['date_from', 'date_to', 'date_admission', 'presale_start', 'presale_end'] as RelativeBase[]).map(
        (name) => [name, (event[name] as Date | null) ?? null],
      ),
    ) as Record<RelativeBase, Date | null>;
    const timezone = String(event.timezone);
    const last = resolveRelative(values.payment_term_last, dates, timezone);
    const presaleEnd = resolveRelative((event.presale_end as Date).toISOString(), dates, timezone);
    // payment_term_last is a date: payments are accepted until its end, so compare calendar days.
    if (last && presaleEnd && last.toISODate()! < presaleEnd.setZone(timezone).toISODate()!)
      return { payment_term_last: ['The last payment date cannot be before the end of presale.'] };
  }
  for (const channel of values.seating_allow_blocked_seats_for_channel as string[]) {
    if (!SALES_CHANNELS.includes(channel))
      return {
        seating_allow_blocked_seats_for_channel: [`The value "${channel}" is not a valid sales channel.`],
      };
  }
  return null;
}

/** Event and organizer settings: the store, inheritance event → organizer → default, and pretix's PATCH rules. */
export class SettingsService {
  private readonly repository: SettingsRepository;

  constructor(private readonly db: Db) {
    this.repository = new SettingsRepository(db);
  }

  /** Every event-level key with its effective value. */
  async forEvent(event: EventRow, db: Knex = this.db): Promise<Values> {
    const [own, inherited] = await Promise.all([
      this.eventValues(event, db),
      this.repository.values(ORGANIZER_SCOPE, event.organizer_id, db),
    ]);
    return this.resolve(own, inherited);
  }

  /** The event's own values: the settings store plus the settings kept in event columns. */
  private async eventValues(event: EventRow, db: Knex = this.db): Promise<Map<string, unknown>> {
    const own = await this.repository.values(EVENT_SCOPE, event.id, db);
    for (const definition of COLUMN_SETTINGS) own.set(definition.key, event[definition.eventColumn!]);
    return own;
  }

  async forOrganizer(organizerId: number, db: Knex = this.db): Promise<Values> {
    return this.resolve(await this.repository.values(ORGANIZER_SCOPE, organizerId, db), new Map());
  }

  /** One organizer-level value (or its default), for rules elsewhere that read organizer settings. */
  async organizerValue(organizerId: number, key: string, db: Knex = this.db): Promise<unknown> {
    const values = await this.repository.values(ORGANIZER_SCOPE, organizerId, db);
    return values.has(key) ? values.get(key) : SETTINGS_BY_KEY.get(key)?.default;
  }

  private resolve(own: Map<string, unknown>, inherited: Map<string, unknown>): Values {
    return Object.fromEntries(
      SETTINGS.map((definition) => {
        const { key } = definition;
        const value = own.has(key)
          ? own.get(key)
          : inherited.has(key)
            ? inherited.get(key)
            : definition.default;
        return [key, value];
      }),
    );
  }

  async patchEvent(access: EventAccess, body: unknown): Promise<Values> {
    const event = (await this.db<EventRow>('events').where('id', access.event.id).first())!;
    const changes = this.parseChanges('event', body, access.permissions);
    const organizerValues = await this.repository.values(ORGANIZER_SCOPE, event.organizer_id);
    const current = await this.eventValues(event);
    const columns: Record<string, unknown> = {};
    for (const [key, value] of changes) {
      const column = SETTINGS_BY_KEY.get(key)!.eventColumn;
      // A column cannot be "unset": null stores what the event would otherwise inherit.
      const inherited = organizerValues.has(key)
        ? organizerValues.get(key)
        : SETTINGS_BY_KEY.get(key)!.default;
      if (column) {
        columns[column] = value ?? inherited;
        changes.delete(key);
        current.set(key, columns[column]);
      } else if (value === null) current.delete(key);
      else current.set(key, value);
    }
    const errors = crossCheck(this.resolve(current, organizerValues), { ...event, ...columns });
    if (errors) throw new ValidationError(errors);
    await this.db.transaction(async (trx) => {
      await this.repository.write(trx, EVENT_SCOPE, event.id, changes);
      if (Object.keys(columns).length > 0) await trx('events').where('id', event.id).update(columns);
    });
    return this.forEvent({ ...event, ...columns });
  }

  async patchOrganizer(access: OrganizerAccess, body: unknown): Promise<Values> {
    const organizerId = access.organizer.id;
    const changes = this.parseChanges('organizer', body, access.permissions);
    const current = await this.repository.values(ORGANIZER_SCOPE, organizerId);
    for (const [key, value] of changes) {
      if (value === null) current.delete(key);
      else current.set(key, value);
    }
    const errors = crossCheck(this.resolve(current, new Map()));
    if (errors) throw new ValidationError(errors);
    await this.db.transaction((trx) => this.repository.write(trx, ORGANIZER_SCOPE, organizerId, changes));
    return this.forOrganizer(organizerId);
  }

  /** Field checks of a PATCH body; unknown and read-only keys are ignored, as pretix does. */
  private parseChanges(
    level: Level,
    body: unknown,
    permissions: ReadonlySet<Permission>,
  ): Map<string, unknown> {
    if (!isPlainObject(body)) {
      const type = Array.isArray(body) ? 'list' : typeof body;
      throw new ValidationError({
        non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`],
      });
    }
    const changes = new Map<string, unknown>();
    const errors: FieldErrors = {};
    for (const definition of SETTINGS) {
      if (!Object.hasOwn(body, definition.key) || definition.readonly) continue;
      const raw = body[definition.key];
      if (
        level === 'event' &&
        definition.permission &&
        !permissions.has(LEGACY_FLAG[definition.permission])
      ) {
        errors[definition.key] = [`Setting this field requires permission ${definition.permission}`];
        continue;
      }
      if (raw === null) {
        changes.set(definition.key, null);
        continue;
      }
      const parsed = definition.type(raw);
      if (parsed.ok) changes.set(definition.key, parsed.value);
      else errors[definition.key] = [parsed.error];
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return changes;
  }

  /** Settings pretix writes on an event created without cloning. */
  async initializeEvent(trx: Knex, eventId: number, values: Record<string, unknown>): Promise<void> {
    await this.repository.write(trx, EVENT_SCOPE, eventId, new Map(Object.entries(values)));
  }

  async copyEvent(trx: Knex, fromEventId: number, toEventId: number): Promise<void> {
    await this.repository.copyEventSettings(trx, fromEventId, toEventId);
  }

  /** Whether a payment provider is switched on for the event (setting `payment_<id>__enabled`). */
  async paymentProviderEnabled(event: EventRow, provider: string): Promise<boolean> {
    const own = await this.repository.values(EVENT_SCOPE, event.id);
    const inherited = await this.repository.values(ORGANIZER_SCOPE, event.organizer_id);
    const key = `payment_${provider}__enabled`;
    const value = own.has(key) ? own.get(key) : inherited.get(key);
    return value === true;
  }
}
