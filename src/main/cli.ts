import { accountCommands } from '../cli/accounts.commands';
import {
  CliUsageError,
  commandUsage,
  parseCommandArgs,
  wantsHelp,
  type CliCommand,
  type CliContext,
} from '../cli/command';
import { oauthCommands } from '../cli/oauth.commands';
import { userCommands } from '../cli/users.commands';
import { demoCommands } from '../cli/demo.commands';
import { scheduledExportCommands } from '../cli/scheduled-exports.commands';
import { ConfigError, loadConfig } from '../config';
import { OAuthService } from '../modules/oauth/oauth.service';
import { TeamsService } from '../modules/teams/teams.service';
import { checkDatabase, DatabaseUnreachable } from '../platform/db';
import { ValidationError } from '../shared/errors';
import { loadEnvFile } from './env-file';
import { createRuntime } from './runtime';

/** The one explicit list of CLI commands. */
const COMMANDS: CliCommand[] = [
  ...accountCommands,
  ...userCommands,
  ...oauthCommands,
  ...demoCommands,
  ...scheduledExportCommands,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: npm run -s cli -- <command> [options]',
    '       npm run -s cli -- <command> --help',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || wantsHelp([name])) {
    // Asked for (or no command at all): the list of commands, on stdout, and success when it was asked for.
    (name === undefined ? process.stderr : process.stdout).write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(`${commandUsage(command)}\n`);
    return 0;
  }
  const options = parseCommandArgs(command, rest);
  loadEnvFile();
  const config = loadConfig();
  const runtime = createRuntime(config, 'cli');
  try {
    const { db } = runtime;
    // db:migrate and demo create the database first; every other command needs it to be there already.
    if (!command.createsDatabase) await checkDatabase(db, config.DATABASE_URL);
    const context: CliContext = { config, db, teams: new TeamsService(db), oauth: new OAuthService(db) };
    const result = await command.run(context, options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ValidationError)
      process.stderr.write(`invalid input: ${JSON.stringify(error.body())}\n`);
    else if (
      error instanceof CliUsageError ||
      error instanceof ConfigError ||
      error instanceof DatabaseUnreachable
    )
      process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
