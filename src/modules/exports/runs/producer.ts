import type { Writable } from 'node:stream';
import type { Permission } from '../../access/permissions';
import type { ExportRow } from '../exports.repository';

/** The file a producer wrote: how it is offered for download. */
export interface ProducedFile {
  fileName: string;
  contentType: string;
}

export interface ProduceIo {
  /** Where the file goes; respect backpressure and do not end it. */
  out: Writable;
  /** Progress as a fraction 0…1; throws when the run was cancelled or taken over (let it propagate). */
  progress(fraction: number): Promise<void>;
}

/**
 * What turns a run into its file. The run engine does the rest (attempts, permission re-check, storage, state,
 * completion hooks), the same for every kind of run: an exporter's export, a shredder's ZIP, the shred step.
 */
export interface RunProducer {
  /** The principal must still hold it on every event of the run when it starts (else 410, not permitted). */
  permission: Permission;
  /**
   * Writes the run's file into `io.out` and resolves with its name and type, or with null for a step that has
   * no file. Throw ExportError (exporters/define.ts) for a failure the client may read; anything else is
   * reported as "Internal error".
   */
  produce(run: ExportRow, io: ProduceIo): Promise<ProducedFile | null>;
}

/** Finds the producer of a run (by its kind and identifier); undefined fails the run as not permitted. */
export type ProducerLookup = (run: ExportRow) => RunProducer | undefined;

/**
 * Called once a run is finished (done or failed, cancelled included), at least once: again after a crash or a
 * hook that threw, until every hook has succeeded. Hooks must be idempotent and ignore runs of other kinds.
 */
export type RunFinishedHook = (run: ExportRow, outcome: 'done' | 'failed') => Promise<void>;
