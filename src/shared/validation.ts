import { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors';

type Issue = z.core.$ZodIssue;

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Turns zod's message into the one Django REST framework would have given for the same mistake. */
function drfMessage(issue: Issue, data: unknown): string {
  const value = valueAt(data, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'This field is required.';
      if (value === null) return 'This field may not be null.';
      if (issue.expected === 'boolean') return 'Must be a valid boolean.';
      if (issue.expected === 'int' || issue.expected === 'number') return 'A valid integer is required.';
      if (issue.expected === 'string') return 'Not a valid string.';
      if (issue.expected === 'array') return `Expected a list of items but got type "${typeof value}".`;
      if (issue.expected === 'object') return `Invalid data. Expected a dictionary, but got ${typeof value}.`;
      return issue.message;
    case 'invalid_value':
      return `"${String(value)}" is not a valid choice.`;
    case 'too_big':
      if (issue.origin === 'string')
        return `Ensure this field has no more than ${String(issue.maximum)} characters.`;
      if (issue.origin === 'number')
        return `Ensure this value is less than or equal to ${String(issue.maximum)}.`;
      return issue.message;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'This field may not be blank.';
      if (issue.origin === 'string')
        return `Ensure this field has at least ${String(issue.minimum)} characters.`;
      if (issue.origin === 'number')
        return `Ensure this value is greater than or equal to ${String(issue.minimum)}.`;
      return issue.message;
    default:
      return issue.message;
  }
}

/** Nests zod issues the way DRF nests serializer errors: {"field": ["msg"]}, {"parent": {"child": [...]}}. */
export function toFieldErrors(error: z.ZodError, data: unknown): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.length > 0 ? issue.path.map(String) : ['non_field_errors'];
    let node: Record<string, unknown> = errors;
    path.slice(0, -1).forEach((key) => {
      if (!node[key] || Array.isArray(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    });
    const leaf = path[path.length - 1]!;
    const messages = Array.isArray(node[leaf]) ? (node[leaf] as string[]) : [];
    messages.push(drfMessage(issue, data));
    node[leaf] = messages;
  }
  return errors;
}

export function parseOrThrow<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ValidationError(toFieldErrors(result.error, data));
  return result.data;
}
