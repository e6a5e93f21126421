import type { Knex } from 'knex';
import { isUniqueViolation, type Db } from '../../platform/db';
import { NotFound, ValidationError } from '../../shared/errors';
import type { MetaPropertyInput, MetaPropertyPatch } from './meta-properties.schemas';

export interface MetaPropertyRow {
  id: number;
  organizer_id: number;
  name: string;
  default: string;
  required: boolean;
  allowed_values: string[] | null;
  protected: boolean;
  filter_allowed: boolean;
}

export function metaPropertyResource(row: MetaPropertyRow) {
  return {
    id: row.id,
    name: row.name,
    default: row.default,
    required: row.required,
    allowed_values: row.allowed_values,
    protected: row.protected,
    filter_allowed: row.filter_allowed,
  };
}

const notFound = () => new NotFound('No EventMetaProperty matches the given query.');

/** Organizer-defined event meta data properties (pretix's EventMetaProperty). */
export class MetaPropertiesService {
  constructor(private readonly db: Db) {}

  listQuery(organizerId: number): Knex.QueryBuilder {
    return this.db('event_meta_properties').where('organizer_id', organizerId).orderBy('id');
  }

  /** All properties of the organizer by name, for validating and rendering event meta data. */
  async byName(organizerId: number, db: Knex = this.db): Promise<Map<string, MetaPropertyRow>> {
    const rows: MetaPropertyRow[] = await db('event_meta_properties').where('organizer_id', organizerId);
    return new Map(rows.map((row) => [row.name, row]));
  }

  async get(organizerId: number, id: number): Promise<MetaPropertyRow> {
    const row = await this.db<MetaPropertyRow>('event_meta_properties')
      .where({ organizer_id: organizerId, id })
      .first();
    if (!row) throw notFound();
    return row;
  }

  async create(organizerId: number, input: MetaPropertyInput): Promise<MetaPropertyRow> {
    return this.write(() =>
      this.db('event_meta_properties')
        .insert({ ...this.columns(input), organizer_id: organizerId })
        .returning('*'),
    );
  }

  async update(organizerId: number, id: number, changes: MetaPropertyPatch): Promise<MetaPropertyRow> {
    await this.get(organizerId, id);
    if (Object.keys(changes).length === 0) return this.get(organizerId, id);
    return this.write(() =>
      this.db('event_meta_properties')
        .where({ organizer_id: organizerId, id })
        .update(this.columns(changes))
        .returning('*'),
    );
  }

  async delete(organizerId: number, id: number): Promise<void> {
    const deleted = await this.db('event_meta_properties').where({ organizer_id: organizerId, id }).delete();
    if (deleted === 0) throw notFound();
  }

  private columns(input: MetaPropertyPatch): Record<string, unknown> {
    const { allowed_values, ...rest } = input;
    return {
      ...rest,
      ...(allowed_values !== undefined
        ? { allowed_values: allowed_values === null ? null : JSON.stringify(allowed_values) }
        : {}),
    };
  }

  private async write(query: () => Promise<MetaPropertyRow[]>): Promise<MetaPropertyRow> {
    try {
      const [row] = await query();
      return row!;
    } catch (error) {
      if (isUniqueViolation(error))
        throw ValidationError.field('name', 'A meta data property with this name already exists.');
      throw error;
    }
  }
}
