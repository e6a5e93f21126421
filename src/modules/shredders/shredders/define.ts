import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Db } from '../../../platform/db';
import { NO_ERASURE, type ErasureCount } from '../../../platform/erase';
import type { Storage } from '../../../platform/storage';

export type Executor = Db | Knex.Transaction;

/** What a shredder reads its export from: the export run's REPEATABLE READ snapshot. */
export interface ShredExportContext {
  db: Knex.Transaction;
  event: { id: number; slug: string };
  /** Where uploaded files (file answers) are stored. */
  storage: Storage;
}

/**
 * One file of the ZIP; its content is produced lazily, when the ZIP writer gets to it. null: a stored file that
 * storage no longer has (the ZIP's index.json lists it under missing_files).
 */
export interface ShredFile {
  name: string;
  content: () => Promise<Readable | AsyncIterable<string> | null>;
}

/** What a shredder's part of the ZIP holds: files, and the records (entries) in its JSON. */
export interface ExportCount {
  files: number;
  records: number;
}

/** What a shred changed (or, dry, would change), with the stored files it deletes after the commit. */
export interface Erasure extends ErasureCount {
  files: number;
  fileKeys: string[];
}

export interface ShredderSpec {
  /** Stable, lowercase, never renamed: pretix's identifiers. */
  identifier: string;
  verboseName: string;
  description: string;
  /** Only informative in the API (pretix's UI forces a download of tax-relevant data first). */
  taxRelevant?: boolean;
  countExport?(db: Executor, eventId: number): Promise<ExportCount>;
  files?(ctx: ShredExportContext): AsyncIterable<ShredFile>;
  /**
   * Erases inside the shred's transaction, through the repository of the module that owns the data; with
   * `dryRun` it only counts, with the same statements' counting part.
   */
  erase?(
    db: Executor,
    eventId: number,
    options: { dryRun: boolean },
  ): Promise<ErasureCount & Partial<Erasure>>;
}

export interface Shredder {
  identifier: string;
  verboseName: string;
  description: string;
  taxRelevant: boolean;
  countExport(db: Executor, eventId: number): Promise<ExportCount>;
  files(ctx: ShredExportContext): AsyncIterable<ShredFile>;
  erase(db: Executor, eventId: number, options: { dryRun: boolean }): Promise<Erasure>;
  describe(): { identifier: string; verbose_name: string; description: string; tax_relevant: boolean };
}

async function* noFiles(): AsyncGenerator<ShredFile> {}

/** A shredder from its spec; what it leaves out exports nothing and erases nothing (pretix's no-op shredders). */
export function defineShredder(spec: ShredderSpec): Shredder {
  return {
    identifier: spec.identifier,
    verboseName: spec.verboseName,
    description: spec.description,
    taxRelevant: spec.taxRelevant ?? false,
    countExport: spec.countExport ?? (async () => ({ files: 0, records: 0 })),
    files: spec.files ?? noFiles,
    async erase(db, eventId, options) {
      const erased: ErasureCount & Partial<Erasure> = spec.erase
        ? await spec.erase(db, eventId, options)
        : NO_ERASURE;
      const fileKeys = erased.fileKeys ?? [];
      return {
        rows: erased.rows,
        fields: erased.fields,
        deleted: erased.deleted,
        files: fileKeys.length,
        fileKeys,
      };
    },
    describe() {
      return {
        identifier: spec.identifier,
        verbose_name: spec.verboseName,
        description: spec.description,
        tax_relevant: spec.taxRelevant ?? false,
      };
    },
  };
}
