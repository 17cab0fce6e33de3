/**
 * Reading large archive members piece by piece, so a heart-rate file of
 * hundreds of MB never sits in memory: a JSON array item by item, a text
 * file line by line.
 */

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

/** Parse one item: the text of `s` from `from` to `to` (exclusive). */
export type ItemReader<T> = (s: string, from: number, to: number) => T;

/** The default item reader: JSON.parse of the item's text. */
export const parseItem: ItemReader<unknown> = (s, from, to) => JSON.parse(s.slice(from, to));

/**
 * The items of a top-level JSON array of objects, read on their own (by
 * `read`, JSON.parse by default) as soon as they are complete and handed out
 * a chunk's worth at a time. Throws on text that is not such an array,
 * naming the item where it went wrong (the batches before it have been
 * handed out).
 */
export async function* jsonArrayBatches<T = unknown>(chunks: AsyncIterable<Uint8Array>, read: ItemReader<T> = parseItem as ItemReader<T>): AsyncGenerator<T[]> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let opened = false;
  let closed = false;
  let index = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} (at array item ${index + 1})`);
  };
  const scan = (text: string): T[] => {
    const out: T[] = [];
    const s = carry + text;
    let itemStart = carry.length > 0 ? 0 : -1;
    for (let i = carry.length; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (depth <= 1) {
        if (isSpace(c)) continue;
        if (closed) fail('text after the end of the array');
        if (!opened) {
          if (c !== OPEN_BRACKET) fail('not a JSON array');
          opened = true;
          depth = 1;
          continue;
        }
        if (c === COMMA) continue;
        if (c === CLOSE_BRACKET) {
          depth = 0;
          closed = true;
          continue;
        }
        if (c !== OPEN_BRACE) fail(`expected an object, found "${s[i]}"`);
        itemStart = i;
        depth = 2;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 1) {
          try {
            out.push(read(s, itemStart, i + 1));
          } catch (e) {
            fail(`unreadable JSON: ${(e as Error).message}`);
          }
          index++;
          itemStart = -1;
        }
      }
    }
    carry = itemStart >= 0 ? s.slice(itemStart) : '';
    return out;
  };
  for await (const chunk of chunks) {
    const batch = scan(decoder.decode(chunk, { stream: true }));
    if (batch.length > 0) yield batch;
  }
  const last = scan(decoder.decode());
  if (last.length > 0) yield last;
  if (!opened) fail('empty file, not a JSON array');
  if (!closed) fail('the file ends before the array does (truncated)');
}

/** The lines of a UTF-8 text (LF or CRLF, an optional BOM), without their line ends. */
export async function* textLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  const split = function* (text: string, last: boolean): Generator<string> {
    const s = carry + text;
    let from = 0;
    for (let at = s.indexOf('\n'); at >= 0; at = s.indexOf('\n', from)) {
      yield s.charCodeAt(at - 1) === 0x0d ? s.slice(from, at - 1) : s.slice(from, at);
      from = at + 1;
    }
    carry = s.slice(from);
    if (last && carry !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
  };
  for await (const chunk of chunks) yield* split(decoder.decode(chunk, { stream: true }), false);
  yield* split(decoder.decode(), true);
}

/** The cells of one CSV line (RFC 4180 quoting; no line breaks inside fields). */
export function csvCells(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}
