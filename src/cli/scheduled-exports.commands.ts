import { ScheduledExportsRepository } from '../modules/scheduled-exports/scheduled-exports.repository';
import { formatDateTime } from '../shared/api-datetime';
import { CliUsageError, type CliCommand } from './command';

/** What an operator sees of a schedule: enough to find it (level, organizer, event) and to know what goes out. */
const scheduledExportsList: CliCommand = {
  name: 'scheduled-exports:list',
  summary: '--due | --stopped   (due: will run at the next tick; stopped: failed 5 times in a row)',
  options: { due: { type: 'boolean' }, stopped: { type: 'boolean' } },
  async run(runtime, options) {
    if (Boolean(options.due) === Boolean(options.stopped))
      throw new CliUsageError('give exactly one of --due, --stopped');
    const filter = options.due ? 'due' : 'stopped';
    const rows = await new ScheduledExportsRepository(runtime.db).listForOperators(filter, new Date());
    return {
      [filter]: rows.map((row) => ({
        id: Number(row.id),
        level: row.level,
        organizer_id: Number(row.organizer_id),
        event_id: row.event_id === null ? null : Number(row.event_id),
        owner_id: Number(row.owner_id),
        export_identifier: row.export_identifier,
        mail_subject: row.mail_subject,
        schedule_next_run: formatDateTime(row.schedule_next_run),
        error_counter: row.error_counter,
        error_last_message: row.error_last_message,
      })),
    };
  },
};

export const scheduledExportCommands: CliCommand[] = [scheduledExportsList];
