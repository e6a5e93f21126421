import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * "A module owns its tables" (STYLE.md), for the tables that decide who may do what: only access/ and teams/
 * read the team tables, and oauth/ its grants. Exporters are no exception here. An import rule cannot see table
 * names, so this reads the sources.
 */
const ROOT = path.resolve(__dirname, '../..');
const OWNERS: Record<string, string[]> = {
  teams: ['src/modules/access/', 'src/modules/teams/'],
  team_members: ['src/modules/access/', 'src/modules/teams/'],
  team_api_tokens: ['src/modules/access/', 'src/modules/teams/'],
  oauth_grants: ['src/modules/access/', 'src/modules/oauth/'],
};

const TABLES = Object.keys(OWNERS).join('|');
/** A table as knex names it ('teams', 'teams.id', 'teams as t') or as SQL does (FROM/JOIN/INTO/UPDATE teams). */
const TABLE_REFERENCE = new RegExp(
  `['"\`](${TABLES})(?=[.'"\`\\s])|\\b(?:from|join|into|update)\\s+"?(${TABLES})\\b`,
  'gi',
);

function tablesNamedIn(source: string): string[] {
  return [...source.matchAll(TABLE_REFERENCE)].map((match) => (match[1] ?? match[2]!).toLowerCase());
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

describe('table ownership', () => {
  test('the check recognises a table in a knex call, a qualified column and raw SQL', () => {
    expect(tablesNamedIn(`db('teams').join('team_members', 'team_members.team_id', 'teams.id')`)).toEqual([
      'teams',
      'team_members',
      'team_members',
      'teams',
    ]);
    expect(tablesNamedIn('SELECT 1 FROM oauth_grants g JOIN "team_api_tokens" t ON true')).toEqual([
      'oauth_grants',
      'team_api_tokens',
    ]);
    expect(tablesNamedIn(`// as far as your teams allow; db('team_limit_events')`)).toEqual([]);
  });

  test('only access/ and teams/ (and oauth/ for its grants) name the team and grant tables', () => {
    const offenders = sourceFiles('src').flatMap((file) =>
      tablesNamedIn(readFileSync(path.join(ROOT, file), 'utf8'))
        .filter((table) => !OWNERS[table]!.some((owner) => file.startsWith(owner)))
        .map((table) => `${file}: ${table}`),
    );
    expect([...new Set(offenders)]).toEqual([]);
  });
});
