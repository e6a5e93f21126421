import type { ExportRow } from '../exports/exports.repository';
import { ExportError } from '../exports/exporters/define';
import type { ExportsService } from '../exports/exports.service';
import type { RunFinishedHook, RunProducer } from '../exports/runs/producer';
import { EventsRepository } from '../events/events.repository';
import { shredConstraint } from './shredders.constraints';
import { ShredRunsRepository } from './shredders.repository';
import {
  deletePendingFiles,
  exportStep,
  FILE_GONE_MESSAGE,
  shredStep,
  type StepDeps,
} from './shredders.steps';

/**
 * The worker side of the shredders: what produces their two kinds of run, and what happens once one is
 * finished. Wired in src/main/worker.ts; the run engine does attempts, permission re-checks and storage.
 */
export interface ShredderJobDeps extends StepDeps {
  exports: Pick<ExportsService, 'findRun' | 'discard'>;
}

/** kind 'shred_export': the ZIP, `<event-slug>.zip`, written inside one snapshot. */
function shredExportProducer(deps: ShredderJobDeps): RunProducer {
  const repository = new ShredRunsRepository(deps.db);
  return {
    permission: 'can_change_orders',
    async produce(run, io) {
      const audit = await repository.findByExport(run.id);
      if (!audit) throw new ExportError(FILE_GONE_MESSAGE);
      const { eventSlug } = await exportStep(deps, audit, io.out, io.progress);
      return { fileName: `${eventSlug}.zip`, contentType: 'application/zip' };
    },
  };
}

/**
 * kind 'shred': no file. Already shredded (a retry after a crash past the commit) is done; otherwise the
 * constraints must still hold and the export must still be there, then shredStep erases in one transaction.
 */
function shredProducer(deps: ShredderJobDeps): RunProducer {
  const repository = new ShredRunsRepository(deps.db);
  const events = new EventsRepository(deps.db);
  return {
    permission: 'can_change_orders',
    async produce(run, io) {
      const audit = await repository.findByShred(run.id);
      if (!audit) throw new ExportError(FILE_GONE_MESSAGE);
      if (audit.status === 'shredded') return null;
      const blocked = shredConstraint(await events.byId(Number(audit.event_id)));
      if (blocked) throw new ExportError(blocked);
      const exported = await deps.exports.findRun(audit.export_run_id);
      if (!exported || exported.status !== 'done') throw new ExportError(FILE_GONE_MESSAGE);
      await shredStep(deps, run.id, io.progress);
      return null;
    },
  };
}

export function shredderProducerOf(deps: ShredderJobDeps): (run: ExportRow) => RunProducer | undefined {
  const producers = { shred_export: shredExportProducer(deps), shred: shredProducer(deps) };
  return (run) => (run.kind === 'shred_export' || run.kind === 'shred' ? producers[run.kind] : undefined);
}

/**
 * Completion hook (at least once, so every step is conditional or idempotent): the audit row follows the runs;
 * after a shred, the uploaded files it erased and the ZIP are deleted (pretix deletes the ZIP right away too,
 * so its download answers 404 from then on).
 */
export function shredRunFinished(deps: ShredderJobDeps): RunFinishedHook {
  const repository = new ShredRunsRepository(deps.db);
  return async (run, outcome) => {
    if (run.kind === 'shred_export') {
      await repository.exportFinished(run, outcome);
      return;
    }
    if (run.kind !== 'shred') return;
    if (outcome === 'failed') {
      await repository.shredFailed(run.id, run.message);
      return;
    }
    const audit = await repository.findByShred(run.id);
    if (audit?.status !== 'shredded') return;
    await deletePendingFiles(deps, audit);
    await deps.exports.discard(audit.export_run_id);
  };
}
