import type { Request } from 'express';
import type { Knex } from 'knex';
import { NotFound } from '../shared/errors';

export const PAGE_SIZE = 50;

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

function pageSize(raw: unknown): number {
  const size = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  // pretix lets clients shrink pages only; anything unusable falls back to the default.
  return size > 0 ? Math.min(size, PAGE_SIZE) : PAGE_SIZE;
}

function pageUrl(siteUrl: string, req: Request, page: number | null): string {
  const url = new URL(req.originalUrl, siteUrl);
  if (page === null) url.searchParams.delete('page');
  else url.searchParams.set('page', String(page));
  return siteUrl + url.pathname + url.search;
}

/**
 * DRF page-number pagination over a knex query that is already filtered and ordered.
 * `toResource` turns a page of rows into API objects in one go, so related data can be fetched per page.
 */
export async function paginate<Row, Out>(
  req: Request,
  siteUrl: string,
  query: Knex.QueryBuilder,
  toResource: (rows: Row[]) => Promise<Out[]> | Out[],
): Promise<Page<Out>> {
  const size = pageSize(req.query.page_size);
  const countRow = await query.clone().clearSelect().clearOrder().count({ count: '*' }).first();
  const count = Number((countRow as { count?: number | string } | undefined)?.count ?? 0);
  const lastPage = Math.max(1, Math.ceil(count / size));
  const rawPage = req.query.page;
  const page = rawPage === undefined ? 1 : rawPage === 'last' ? lastPage : Number(rawPage);
  if (!Number.isInteger(page) || page < 1 || page > lastPage) throw new NotFound('Invalid page.');
  const rows = (await query
    .clone()
    .limit(size)
    .offset((page - 1) * size)) as Row[];
  return {
    count,
    next: page < lastPage ? pageUrl(siteUrl, req, page + 1) : null,
    previous: page > 2 ? pageUrl(siteUrl, req, page - 1) : page === 2 ? pageUrl(siteUrl, req, null) : null,
    results: await toResource(rows),
  };
}

/**
 * Applies `?ordering=a,-b` where each name is in `allowed` (API name → column). Unknown names are ignored as in
 * DRF's OrderingFilter; `fallback` applies when nothing usable was asked for, and `tieBreaker` always last
 * (a leading `-` makes it descending).
 */
export function applyOrdering(
  query: Knex.QueryBuilder,
  raw: unknown,
  allowed: Record<string, string>,
  fallback: string,
  tieBreaker = 'id',
): Knex.QueryBuilder {
  const requested = typeof raw === 'string' ? raw.split(',').map((part) => part.trim()) : [];
  const usable = requested.filter((name) => Object.hasOwn(allowed, name.replace(/^-/, '')));
  const terms = usable.length > 0 ? usable : [fallback];
  for (const term of terms) {
    const descending = term.startsWith('-');
    query.orderBy(allowed[term.replace(/^-/, '')] ?? term.replace(/^-/, ''), descending ? 'desc' : 'asc');
  }
  return query.orderBy(tieBreaker.replace(/^-/, ''), tieBreaker.startsWith('-') ? 'desc' : 'asc');
}
