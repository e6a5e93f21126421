import type { Knex } from 'knex';
import type { Db } from '../../platform/db';

type Scope =
  { table: 'event_settings'; column: 'event_id' } | { table: 'organizer_settings'; column: 'organizer_id' };

export const EVENT_SCOPE: Scope = { table: 'event_settings', column: 'event_id' };
export const ORGANIZER_SCOPE: Scope = { table: 'organizer_settings', column: 'organizer_id' };

/** Key-value settings on one level (event or organizer); values are JSON. */
export class SettingsRepository {
  constructor(private readonly db: Db) {}

  async values(scope: Scope, ownerId: number, db: Knex = this.db): Promise<Map<string, unknown>> {
    const rows: { key: string; value: unknown }[] = await db(scope.table)
      .where(scope.column, ownerId)
      .select('key', 'value');
    return new Map(rows.map((row) => [row.key, row.value]));
  }

  /** Writes the given keys; a null value deletes the key so that it inherits again. */
  async write(
    trx: Knex,
    scope: Scope,
    ownerId: number,
    changes: ReadonlyMap<string, unknown>,
  ): Promise<void> {
    for (const [key, value] of changes) {
      if (value === null) {
        await trx(scope.table)
          .where({ [scope.column]: ownerId, key })
          .delete();
      } else {
        await trx(scope.table)
          .insert({ [scope.column]: ownerId, key, value: JSON.stringify(value) })
          .onConflict([scope.column, 'key'])
          .merge();
      }
    }
  }

  async copyEventSettings(trx: Knex, fromEventId: number, toEventId: number): Promise<void> {
    await trx.raw(
      `INSERT INTO event_settings (event_id, key, value)
       SELECT ?, key, value FROM event_settings WHERE event_id = ?
       ON CONFLICT (event_id, key) DO UPDATE SET value = excluded.value`,
      [toEventId, fromEventId],
    );
  }
}
