import { ValidationError } from '../../shared/errors';

/** Python's type name for a JSON value, as DRF's messages show it. */
function pythonType(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (value === null) return 'NoneType';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** Python's str() of a JSON value, as DRF's "is not a valid choice" message shows the input. */
function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  return JSON.stringify(value);
}

/**
 * `{"shredders": [...]}` validated as pretix's serializer does (a DRF MultipleChoiceField): required, a list
 * (any iterable: a dict contributes its keys), each item a known identifier; the first unknown one is
 * reported. An empty list is valid. Duplicates collapse; the order of first appearance is kept.
 */
export function parseShredderSelection(body: unknown, known: readonly string[]): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonType(body)}.`],
    });
  }
  if (!('shredders' in body)) throw ValidationError.field('shredders', 'This field is required.');
  const value: unknown = (body as { shredders: unknown }).shredders;
  if (value === null) throw ValidationError.field('shredders', 'This field may not be null.');
  if (typeof value !== 'object') {
    throw ValidationError.field('shredders', `Expected a list of items but got type "${pythonType(value)}".`);
  }
  const items: unknown[] = Array.isArray(value) ? value : Object.keys(value);
  const selected: string[] = [];
  for (const item of items) {
    const choice = pythonStr(item);
    if (!known.includes(choice))
      throw ValidationError.field('shredders', `"${choice}" is not a valid choice.`);
    if (!selected.includes(choice)) selected.push(choice);
  }
  return selected;
}
