/**
 * A small streaming XML scanner for track files (GPX, TCX): text goes in as
 * chunks, elements come out as open/text/close calls. It finds markup with
 * `indexOf` rather than stepping a state machine through every character, and
 * makes no object per element: attributes are read on demand through one
 * reused view, and text is decoded only while the reader asks for it. That is
 * what lets a track parser outrun a general SAX parser (saxes) on the same
 * file.
 *
 * It checks what a reader needs to trust the structure: tags nest and match,
 * one root element, attribute syntax, entity references. It does not
 * validate, and it never expands entities a DTD declares (an internal subset
 * is skipped, so XXE and "billion laughs" files expand nothing); a reference to
 * such an entity is an error. Work per chunk is iterative and bounded: a
 * single tag, comment or CDATA section longer than {@link MAX_TOKEN_CHARS}
 * is an error rather than an ever-growing buffer.
 */

/** Longest single piece of markup (tag, comment, CDATA section, DOCTYPE) accepted, in characters. */
export const MAX_TOKEN_CHARS = 16 * 1024 * 1024;

/** A well-formedness fault, with the character offset it was found at. */
export class XmlError extends Error {}

/** Attributes of the element being opened; valid only during the `open` call. */
export interface XmlAttributes {
  /** The decoded value of an attribute by its (qualified) name, or undefined. */
  get(name: string): string | undefined;
}

/** What the scanner calls. */
export interface XmlSink {
  open(name: string, attrs: XmlAttributes): void;
  /** Character data of the current element (entities decoded; may come in several pieces). */
  text(text: string): void;
  close(name: string): void;
  /** Read before each piece of text: when false, text is skipped without decoding. */
  readonly wantText: boolean;
}

const GT = 62; // >
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** A small-integer key of an element name from the running hash of its characters and its length. */
function nameKey(hash: number, length: number): number {
  return (hash ^ Math.imul(length, 0x9e3779b1)) & 0x3fffffff;
}

/** Position of `ch` in `s` from `from`, or the length of `s` when there is none. */
function indexOrEnd(s: string, ch: string, from: number): number {
  const i = s.indexOf(ch, from);
  return i < 0 ? s.length : i;
}

/** Decode the entity and character references of a piece of text. */
function decodeEntities(s: string, at = 0): string {
  if (s.indexOf('&') < 0) return s;
  let out = '';
  let i = 0;
  for (;;) {
    const amp = s.indexOf('&', i);
    if (amp < 0) return out + s.slice(i);
    const semi = s.indexOf(';', amp);
    if (semi < 0 || semi - amp > 12) throw new XmlError(`unterminated entity reference at character ${at + amp}`);
    const ref = s.slice(amp + 1, semi);
    let ch: string | undefined;
    if (ref.charCodeAt(0) === 35) {
      const code = ref.charCodeAt(1) === 120 ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      ch = Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
    } else {
      ch = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined;
    }
    if (ch === undefined) throw new XmlError(`undefined entity &${ref}; at character ${at + amp} (entities a DTD declares are not expanded)`);
    out += s.slice(i, amp) + ch;
    i = semi + 1;
  }
}

class AttributeView implements XmlAttributes {
  src = '';
  from = 0;
  to = 0;
  offset = 0;

  get(name: string): string | undefined {
    const s = this.src;
    let i = this.from;
    const end = this.to;
    while (i < end) {
      while (i < end && isSpace(s.charCodeAt(i))) i++;
      if (i >= end) break;
      const eq = s.indexOf('=', i);
      if (eq < 0 || eq >= end) throw new XmlError(`attribute without a value at character ${this.offset + i}`);
      let nameEnd = eq;
      while (nameEnd > i && isSpace(s.charCodeAt(nameEnd - 1))) nameEnd--;
      let q = eq + 1;
      while (q < end && isSpace(s.charCodeAt(q))) q++;
      const quote = s.charCodeAt(q);
      if (quote !== 34 && quote !== 39) throw new XmlError(`attribute value not quoted at character ${this.offset + q}`);
      const close = s.indexOf(quote === 34 ? '"' : "'", q + 1);
      if (close < 0 || close >= end) throw new XmlError(`unterminated attribute value at character ${this.offset + q}`);
      if (nameEnd - i === name.length && s.startsWith(name, i)) return decodeEntities(s.slice(q + 1, close), this.offset + q + 1);
      i = close + 1;
    }
    return undefined;
  }
}

/**
 * Scanner state for one document. Call {@link write} with each chunk of text
 * and {@link end} after the last; faults throw {@link XmlError}.
 */
export class XmlScanner {
  private buf = '';
  /** Characters of the document before `buf`. */
  private consumed = 0;
  private readonly stack: string[] = [];
  /** The {@link nameKey} of each open element, beside `stack`. */
  private readonly keys: number[] = [];
  private rootSeen = false;
  private rootClosed = false;
  private readonly attrs = new AttributeView();
  /** Element names seen, by length and first character: a repeated name is the same string (no slice, hash cached). */
  private readonly names = new Map<number, string[]>();

  constructor(private readonly sink: XmlSink) {}

  /** Feed the next chunk of text. */
  write(chunk: string): void {
    const s = this.buf.length === 0 ? chunk : this.buf + chunk;
    const stop = this.scan(s, false);
    this.consumed += stop;
    this.buf = stop === s.length ? '' : s.slice(stop);
    if (this.buf.length > MAX_TOKEN_CHARS) {
      throw new XmlError(`a single tag, comment or CDATA section is longer than ${MAX_TOKEN_CHARS} characters at character ${this.consumed}`);
    }
  }

  /** The document is complete: check that nothing is left open. */
  end(): void {
    if (this.buf.length > 0) this.consumed += this.scan(this.buf, true);
    this.buf = '';
    if (this.stack.length > 0) throw new XmlError(`document ends inside <${this.stack[this.stack.length - 1]}> (unclosed tag)`);
    if (!this.rootSeen) throw new XmlError('document has no root element');
  }

  /**
   * The name s[from, to) as the one string kept for it, found by its key
   * ({@link nameKey}) and its first and last characters: comparing every
   * character of every name was a third of the scanning time. Two different
   * names agreeing on all of that would have to be made so on purpose, and
   * would only confuse the reading of the file that holds them.
   */
  private intern(s: string, from: number, to: number, key: number): string {
    let bucket = this.names.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.names.set(key, bucket);
    }
    const len = to - from;
    const first = s.charCodeAt(from);
    const last = s.charCodeAt(to - 1);
    for (let i = 0; i < bucket.length; i++) {
      const cand = bucket[i]!;
      if (cand.length === len && cand.charCodeAt(0) === first && cand.charCodeAt(len - 1) === last) return cand;
    }
    const name = s.slice(from, to);
    // A hostile file could name every element differently: keep the table small.
    if (bucket.length < 8) bucket.push(name);
    return name;
  }

  private fault(msg: string, at: number): never {
    throw new XmlError(`${msg} at character ${this.consumed + at}`);
  }

  /** Scan `s` from 0; returns where an incomplete token starts (s.length when all was consumed). */
  private scan(s: string, final: boolean): number {
    const sink = this.sink;
    const stack = this.stack;
    const keys = this.keys;
    const n = s.length;
    let pos = 0;
    // Positions of the next '"' and "'" (n when none), searched again only once passed.
    let dq = -1;
    let sq = -1;
    while (pos < n) {
      const lt = s.indexOf('<', pos);
      if (lt !== pos) {
        const textEnd = lt < 0 ? n : lt;
        if (stack.length > 0) {
          if (sink.wantText) {
            // Hold back a reference cut by the chunk boundary.
            let upTo = textEnd;
            if (lt < 0 && !final) {
              const amp = s.lastIndexOf('&', textEnd - 1);
              if (amp >= pos && s.indexOf(';', amp) < 0) upTo = amp;
            }
            if (upTo > pos) sink.text(decodeEntities(s.slice(pos, upTo), this.consumed + pos));
            if (upTo < textEnd) return upTo;
          }
        } else {
          for (let i = pos; i < textEnd; i++) {
            if (!isSpace(s.charCodeAt(i))) this.fault(this.rootSeen ? 'text after the root element' : 'text before the root element', i);
          }
        }
        if (lt < 0) return n;
        pos = lt;
      }
      if (lt + 1 >= n) return final ? this.fault('document ends inside a tag', lt) : lt;
      const c = s.charCodeAt(lt + 1);
      if (c === SLASH) {
        const gt = s.indexOf('>', lt + 2);
        if (gt < 0) return final ? this.fault('document ends inside a closing tag', lt) : lt;
        let nameEnd = gt;
        while (nameEnd > lt + 2 && isSpace(s.charCodeAt(nameEnd - 1))) nameEnd--;
        const open = stack.pop();
        const openKey = keys.pop();
        let hash = 0;
        for (let i = lt + 2; i < nameEnd; i++) hash = (hash * 31 + s.charCodeAt(i)) | 0;
        const len = nameEnd - lt - 2;
        if (open === undefined || openKey !== nameKey(hash, len) || open.length !== len || open.charCodeAt(0) !== s.charCodeAt(lt + 2)) {
          const name = s.slice(lt + 2, nameEnd);
          this.fault(open === undefined ? `closing tag </${name}> without an opening tag` : `closing tag </${name}> does not match <${open}>`, lt);
        }
        sink.close(open);
        if (stack.length === 0) this.rootClosed = true;
        pos = gt + 1;
        continue;
      }
      if (c === BANG) {
        const next = this.skipDeclaration(s, lt, final);
        if (next < 0) return lt;
        pos = next;
        continue;
      }
      if (c === QUESTION) {
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) return final ? this.fault('document ends inside a processing instruction', lt) : lt;
        pos = end + 2;
        continue;
      }
      // A start tag: its '>' is the first one outside quoted attribute values. The next quote of each
      // kind is remembered, so a document without quotes is not searched again for every tag.
      let gt = s.indexOf('>', lt + 1);
      let from = lt + 1;
      for (;;) {
        if (gt < 0) return final ? this.fault('document ends inside a tag', lt) : lt;
        if (dq < from) dq = indexOrEnd(s, '"', from);
        if (sq < from) sq = indexOrEnd(s, "'", from);
        const q = dq < sq ? dq : sq;
        if (q > gt) break;
        const close = s.indexOf(q === dq ? '"' : "'", q + 1);
        if (close < 0) return final ? this.fault('document ends inside an attribute value', q) : lt;
        from = close + 1;
        if (close > gt) gt = s.indexOf('>', from);
      }
      const selfClosing = s.charCodeAt(gt - 1) === SLASH;
      const tagEnd = selfClosing ? gt - 1 : gt;
      let nameEnd = lt + 1;
      let hash = 0;
      for (; nameEnd < tagEnd; nameEnd++) {
        const ch = s.charCodeAt(nameEnd);
        if (ch === 32 || ch === 10 || ch === 9 || ch === 13) break;
        hash = (hash * 31 + ch) | 0;
      }
      if (nameEnd === lt + 1) this.fault('a tag without a name', lt);
      const key = nameKey(hash, nameEnd - lt - 1);
      const name = this.intern(s, lt + 1, nameEnd, key);
      if (stack.length === 0) {
        if (this.rootClosed) this.fault(`a second root element <${name}>`, lt);
        this.rootSeen = true;
      }
      const a = this.attrs;
      a.src = s;
      a.from = nameEnd;
      a.to = tagEnd;
      a.offset = this.consumed;
      if (!selfClosing) {
        stack.push(name);
        keys.push(key);
      }
      sink.open(name, a);
      if (selfClosing) {
        sink.close(name);
        if (stack.length === 0) this.rootClosed = true;
      }
      pos = gt + 1;
    }
    return n;
  }

  /** Skip `<!-- -->`, deliver `<![CDATA[ ]]>`, skip `<!DOCTYPE ...>`; returns the next position, or -1 to wait for more. */
  private skipDeclaration(s: string, lt: number, final: boolean): number {
    const wait = (what: string): number => (final ? this.fault(`document ends inside ${what}`, lt) : -1);
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      return end < 0 ? wait('a comment') : end + 3;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt + 9);
      if (end < 0) return wait('a CDATA section');
      if (this.stack.length === 0) this.fault('CDATA outside the root element', lt);
      if (this.sink.wantText) this.sink.text(s.slice(lt + 9, end));
      return end + 3;
    }
    if (lt + 2 >= s.length || s.length - lt < 9) return wait('a declaration');
    if (s.startsWith('<!DOCTYPE', lt)) {
      if (this.rootSeen) this.fault('DOCTYPE inside the document', lt);
      // The internal subset [ ... ] may hold '>' characters; entities declared there are never used.
      let i = lt + 9;
      let depth = 0;
      for (; i < s.length; i++) {
        const ch = s.charCodeAt(i);
        if (ch === 34 || ch === 39) {
          const close = s.indexOf(ch === 34 ? '"' : "'", i + 1);
          if (close < 0) return wait('a DOCTYPE');
          i = close;
        } else if (ch === 91) depth++;
        else if (ch === 93) depth--;
        else if (ch === GT && depth <= 0) return i + 1;
      }
      return wait('a DOCTYPE');
    }
    return this.fault('unknown markup declaration', lt);
  }
}
