import { accountCommands } from '../cli/accounts.commands';
import { CliUsageError, parseCommandArgs, type CliCommand, type CliContext } from '../cli/command';
import { oauthCommands } from '../cli/oauth.commands';
import { userCommands } from '../cli/users.commands';
import { demoCommands } from '../cli/demo.commands';
import { scheduledExportCommands } from '../cli/scheduled-exports.commands';
import { ConfigError, loadConfig } from '../config';
import { OAuthService } from '../modules/oauth/oauth.service';
import { TeamsService } from '../modules/teams/teams.service';
import { ValidationError } from '../shared/errors';
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
  return [
    'usage: npm run cli -- <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name} ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`${name ? `unknown command "${name}"\n\n` : ''}${usage()}\n`);
    return 2;
  }
  const options = parseCommandArgs(command, rest);
  const config = loadConfig();
  const runtime = createRuntime(config, 'cli');
  try {
    const { db } = runtime;
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
    else if (error instanceof CliUsageError || error instanceof ConfigError)
      process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
