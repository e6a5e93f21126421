import { faker as de } from '@faker-js/faker/locale/de';
import { faker as en } from '@faker-js/faker/locale/en_US';
import { faker as fr } from '@faker-js/faker/locale/fr';
import { faker as nl } from '@faker-js/faker/locale/nl';

/**
 * Realistic names and addresses per locale, drawn once from faker (seeded, so the same seed gives the same pools)
 * and then picked from with the fast PRNG: faker per row would be far too slow for millions of rows. Values are
 * kept both raw (for JSON) and escaped for COPY.
 */
export interface LocalePool {
  locale: string;
  country: string;
  phonePrefix: string;
  firstNames: string[];
  lastNames: string[];
  streets: string[];
  places: { city: string; zipcode: string }[];
  companies: string[];
}

const SOURCES = [
  { locale: 'en', country: 'US', phonePrefix: '+1', faker: en, weight: 4 },
  { locale: 'de', country: 'DE', phonePrefix: '+49', faker: de, weight: 3 },
  { locale: 'fr', country: 'FR', phonePrefix: '+33', faker: fr, weight: 2 },
  { locale: 'nl', country: 'NL', phonePrefix: '+31', faker: nl, weight: 1 },
] as const;

const POOL_SIZE = 400;

function unique(make: () => string, size: number): string[] {
  const values = new Set<string>();
  for (let attempts = 0; values.size < size && attempts < size * 5; attempts++) values.add(make());
  return [...values];
}

export function buildPools(seed: number): { pools: LocalePool[]; weights: [LocalePool, number][] } {
  const pools = SOURCES.map((source, index) => {
    const f = source.faker;
    f.seed(seed * 31 + index);
    return {
      locale: source.locale,
      country: source.country,
      phonePrefix: source.phonePrefix,
      firstNames: unique(() => f.person.firstName(), POOL_SIZE),
      lastNames: unique(() => f.person.lastName(), POOL_SIZE),
      streets: unique(() => f.location.streetAddress(), POOL_SIZE),
      places: Array.from({ length: POOL_SIZE / 2 }, () => ({
        city: f.location.city(),
        zipcode: f.location.zipCode(),
      })),
      companies: unique(() => f.company.name(), POOL_SIZE / 2),
    };
  });
  return { pools, weights: pools.map((pool, index) => [pool, SOURCES[index]!.weight]) };
}

/** "Zoë O'Brien" → "zoe.obrien": ASCII local parts for addresses under example.* domains. */
export function mailbox(first: string, last: string): string {
  const ascii = (value: string) =>
    value
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
  return `${ascii(first)}.${ascii(last)}`;
}
