import type { Db } from '../../platform/db';
import { NotFound, ValidationError } from '../../shared/errors';
import type { EventAccess } from '../access/access.service';
import { EventsRepository } from '../events/events.repository';
import type { Shredder } from './shredders/define';
import { SHREDDERS, findShredder } from './shredders/index';
import { shredConstraint } from './shredders.constraints';
import { parseShredderSelection } from './shredders.schemas';

export interface DryRunResult {
  /** What would stop an export right now (pretix's constraint messages); empty when it may start. */
  constraints: string[];
  shredders: {
    identifier: string;
    verbose_name: string;
    export: { files: number; records: number };
    erase: { rows: number; fields: number; deleted: number; files: number };
  }[];
}

/** The data shredders of an event: listing, the dry run, and the checks before an export may start. */
export class ShreddersService {
  private readonly events: EventsRepository;

  constructor(private readonly deps: { db: Db }) {
    this.events = new EventsRepository(deps.db);
  }

  list(): readonly Shredder[] {
    return SHREDDERS;
  }

  get(identifier: string): Shredder {
    const shredder = findShredder(identifier);
    if (!shredder) throw new NotFound();
    return shredder;
  }

  private select(body: unknown): Shredder[] {
    const identifiers = parseShredderSelection(
      body,
      SHREDDERS.map((shredder) => shredder.identifier),
    );
    return identifiers.map((identifier) => findShredder(identifier)!);
  }

  /** The constraint that blocks shredding in this event now, or null (read fresh, not from the request). */
  async constraint(eventId: number): Promise<string | null> {
    return shredConstraint(await this.events.byId(eventId));
  }

  /**
   * Validates `{"shredders": [...]}` and then the event's constraints (400 with a bare list, as pretix), before
   * anything is written.
   */
  async checkExport(access: EventAccess, body: unknown): Promise<Shredder[]> {
    const shredders = this.select(body);
    const blocked = await this.constraint(Number(access.event.id));
    if (blocked) throw new ValidationError([blocked]);
    return shredders;
  }

  /**
   * Per shredder, what an export would hold and what a shred would erase now, counted in one read-only
   * snapshot with the erasures' own statements (dry). Nothing is written; constraints are reported, not
   * enforced.
   */
  async dryRun(access: EventAccess, body: unknown): Promise<DryRunResult> {
    const shredders = this.select(body);
    const eventId = Number(access.event.id);
    const blocked = await this.constraint(eventId);
    const results = await this.deps.db.transaction(
      async (trx) => {
        const out: DryRunResult['shredders'] = [];
        for (const shredder of shredders) {
          const exported = await shredder.countExport(trx, eventId);
          const { fileKeys: _files, ...erase } = await shredder.erase(trx, eventId, { dryRun: true });
          out.push({
            identifier: shredder.identifier,
            verbose_name: shredder.verboseName,
            export: exported,
            erase,
          });
        }
        return out;
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    return { constraints: blocked ? [blocked] : [], shredders: results };
  }
}
