import { parseArgs } from 'node:util';
import type { Config } from '../config';
import type { OAuthService } from '../modules/oauth/oauth.service';
import type { TeamsService } from '../modules/teams/teams.service';
import type { Db } from '../platform/db';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean };

/**
 * What a command is given by the composition root (main/cli.ts): the database and the services it needs.
 * Commands that only talk to Postgres leave Redis alone, so there is none here; one that enqueues work would
 * ask for its queue in this interface.
 */
export interface CliContext {
  config: Pick<Config, 'DATABASE_URL' | 'SITE_URL'>;
  db: Db;
  teams: TeamsService;
  oauth: OAuthService;
}

/** One CLI command: prints exactly one JSON object (what `run` returns) on stdout. */
export interface CliCommand {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  run(context: CliContext, options: Record<string, string | boolean | undefined>): Promise<unknown>;
}

export class CliUsageError extends Error {}

export function parseCommandArgs(
  command: CliCommand,
  argv: string[],
): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: command.options,
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

export function requireOption(options: Record<string, string | boolean | undefined>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new CliUsageError(`--${name} is required`);
  return value;
}

export function listOption(value: string | boolean | undefined): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
    : [];
}
