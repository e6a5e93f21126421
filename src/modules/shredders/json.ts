/**
 * JSON as pretix's shredders write it (Python's json.dumps with indent=4 and its default ensure_ascii): four
 * spaces, ", " and ": " separators, and every character outside printable ASCII escaped as \uXXXX — so a
 * shredded "█" reads "\u2588" in both. Objects and lists are streamed entry by entry.
 */
export function pythonJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(
    /[^\x20-\x7e\n]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A value one level down: its own line breaks indented by one more step. */
function nested(value: unknown): string {
  return pythonJson(value).replace(/\n/g, '\n    ');
}

/** `{"key": value, …}` from entries, in their order; `{}` when there are none. */
export async function* jsonObject(entries: AsyncIterable<[string, unknown]>): AsyncGenerator<string> {
  let first = true;
  for await (const [key, value] of entries) {
    yield `${first ? '{\n    ' : ',\n    '}${pythonJson(key)}: ${nested(value)}`;
    first = false;
  }
  yield first ? '{}' : '\n}';
}

/** `[value, …]`; `[]` when there are none. */
export async function* jsonList(values: AsyncIterable<unknown>): AsyncGenerator<string> {
  let first = true;
  for await (const value of values) {
    yield `${first ? '[\n    ' : ',\n    '}${nested(value)}`;
    first = false;
  }
  yield first ? '[]' : '\n]';
}

/** Maps an async iterable. */
export async function* mapAsync<T, U>(source: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of source) yield map(item);
}
