import { parseArgs } from 'node:util';
import type { Runtime } from '../main/runtime';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean };

/** One CLI command: prints exactly one JSON object (what `run` returns) on stdout. */
export interface CliCommand {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Commands that only talk to Postgres leave Redis alone; those that enqueue work say so. */
  run(runtime: Runtime, options: Record<string, string | boolean | undefined>): Promise<unknown>;
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
