import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_CHARS, XmlError, XmlScanner, type XmlAttributes, type XmlSink } from '../../lib/formats/xml_scan.ts';

/** Records every event as text; asks for text everywhere, or only inside `textIn` elements. */
class Log implements XmlSink {
  events: string[] = [];
  wantText = true;
  constructor(private readonly attrs: string[] = [], private readonly textIn?: string) {
    if (textIn) this.wantText = false;
  }
  open(name: string, a: XmlAttributes): void {
    const shown = this.attrs.map((k) => `${k}=${a.get(k) ?? '-'}`).join(',');
    this.events.push(`<${name}${shown ? ' ' + shown : ''}>`);
    if (this.textIn) this.wantText = name === this.textIn;
  }
  text(t: string): void {
    const last = this.events.length - 1;
    if (this.events[last]?.startsWith('"')) this.events[last] = this.events[last]!.slice(0, -1) + t + '"';
    else this.events.push(`"${t}"`);
  }
  close(name: string): void {
    this.events.push(`</${name}>`);
    if (this.textIn) this.wantText = false;
  }
}

function scan(doc: string, chunk = doc.length || 1, sink = new Log(['a', 'b'])): string[] {
  const s = new XmlScanner(sink);
  for (let i = 0; i < doc.length; i += chunk) s.write(doc.slice(i, i + chunk));
  s.end();
  return sink.events;
}

function fault(doc: string): string {
  try {
    scan(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(XmlError);
    return (e as Error).message;
  }
  throw new Error('expected a fault');
}

const DOC = `<?xml version="1.0"?>
<!-- a comment with <tags> & -->
<r a="1 &amp; 2" b='x&gt;y'>
  <p a="q&quot;uote">text &lt;one&gt; &#65;&#x42;<![CDATA[<raw & kept>]]></p>
  <e b="self"/>
  <?pi ignored ?>
  <n:x a="&#233;">é ü</n:x>
</r>`;

describe('XmlScanner', () => {
  it('delivers elements, decoded attributes and text, CDATA as it is', () => {
    const ev = scan(DOC).filter((e) => e.trim() !== '""' && !/^"\s+"$/.test(e));
    expect(ev).toEqual([
      '<r a=1 & 2,b=x>y>',
      '<p a=q"uote,b=->',
      '"text <one> AB<raw & kept>"',
      '</p>',
      '<e a=-,b=self>',
      '</e>',
      '<n:x a=é,b=->',
      '"é ü"',
      '</n:x>',
      '</r>',
    ]);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const whole = scan(DOC);
    for (let chunk = 1; chunk <= 40; chunk++) expect(scan(DOC, chunk), `chunks of ${chunk}`).toEqual(whole);
  });

  it('skips text the reader does not ask for', () => {
    const sink = new Log([], 'p');
    expect(scan(DOC, 7, sink).filter((e) => e.startsWith('"'))).toEqual(['"text <one> AB<raw & kept>"']);
  });

  it('skips a DOCTYPE internal subset and never expands its entities ("billion laughs")', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<lolz>&lol2;</lolz>`;
    expect(fault(laughs)).toMatch(/undefined entity &lol2;/);
    expect(scan(laughs.replace('&lol2;', 'safe'))).toEqual(['<lolz a=-,b=->', '"safe"', '</lolz>']);
  });

  it('reports faults with where they are', () => {
    expect(fault('<a><b></a>')).toMatch(/closing tag <\/a> does not match <b> at character 6/);
    expect(fault('<a><b></b>')).toMatch(/document ends inside <a>/);
    expect(fault('<a></a><b/>')).toMatch(/a second root element <b>/);
    expect(fault('<a></a>junk')).toMatch(/text after the root element/);
    expect(fault('</a>')).toMatch(/without an opening tag/);
  });

  it('reads attributes only when asked, and then checks their syntax', () => {
    // Attributes nobody reads are not parsed.
    expect(scan('<a x=1/>', 8, new Log())).toEqual(['<a>', '</a>']);
    expect(() => scan('<a b=1/>')).toThrow(/attribute value not quoted/);
  });

  it('nests a hundred thousand elements deep without recursion', () => {
    const n = 100_000;
    const doc = '<d>'.repeat(n) + '</d>'.repeat(n);
    const sink = new Log([], 'none');
    scan(doc, 1 << 16, sink);
    expect(sink.events.length).toBe(2 * n);
  });

  it('refuses a single comment longer than the token limit instead of buffering it', () => {
    const s = new XmlScanner(new Log());
    s.write('<a><!--');
    const block = 'x'.repeat(1 << 20);
    expect(() => {
      for (let i = 0; i <= MAX_TOKEN_CHARS / block.length; i++) s.write(block);
    }).toThrow(/longer than 16777216 characters/);
  });
});
