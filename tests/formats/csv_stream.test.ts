import { describe, expect, it } from 'vitest';
import { CsvReader, readCsv, readCsvStream } from '../../lib/formats/csv.ts';

describe('CsvReader (streamed)', () => {
  const TEXT = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"line1\nline2",\r\n\r\n3,,z\n4,"q"tail,5\r\n"6"';

  function readChunks(text: string, size: number, max = Infinity): { rows: string[][]; lines: number[]; long: number[] } {
    const out = { rows: [] as string[][], lines: [] as number[], long: [] as number[] };
    const r = new CsvReader(
      (f, line) => {
        out.rows.push(f);
        out.lines.push(line);
      },
      { maxRecordChars: max, onTooLong: (line) => out.long.push(line) },
    );
    for (let i = 0; i < text.length; i += size) r.write(text.slice(i, i + size));
    r.end();
    return out;
  }

  it('gives the same records and lines as reading the whole text, at every chunk size', () => {
    const whole = readCsv(TEXT);
    expect(whole.rows.at(-2)).toEqual(['4', 'qtail', '5']);
    expect(whole.rows.at(-1)).toEqual(['6']);
    for (let size = 1; size <= 25; size++) {
      const got = readChunks(TEXT, size);
      expect(got.rows, `chunks of ${size}`).toEqual([['a', 'b', 'c'], ...whole.rows]);
      expect(got.lines.slice(1), `chunks of ${size}`).toEqual(whole.lines);
    }
  });

  it('reports a record longer than the limit, skips to the next line, and keeps counting lines', () => {
    const text = `h1,h2\n${'x'.repeat(500)},1\nok,2\n"${'y'.repeat(300)}\nafter,3\n`;
    const got = readChunks(text, 64, 100);
    expect(got.long).toEqual([2, 4]);
    expect(got.rows).toEqual([['h1', 'h2'], ['ok', '2'], ['after', '3']]);
    expect(got.lines).toEqual([1, 3, 5]);
  });

  it('reads a file that is one enormous line in bounded memory, as a stream', async () => {
    const line = 'z,'.repeat(3 * 1024 * 1024);
    const enc = new TextEncoder();
    async function* chunks() {
      yield enc.encode('a,b\n');
      for (let i = 0; i < line.length; i += 65536) yield enc.encode(line.slice(i, i + 65536));
      yield enc.encode('\n1,2\n');
    }
    const rows: string[][] = [];
    const long: number[] = [];
    let header: string[] = [];
    await readCsvStream(chunks(), { header: (h) => (header = h), row: (f) => rows.push(f) }, { onTooLong: (l) => long.push(l) });
    expect(header).toEqual(['a', 'b']);
    expect(rows).toEqual([['1', '2']]);
    expect(long).toEqual([2]);
  });

  it('still fails clearly on a quote that never closes', () => {
    const r = new CsvReader(() => {});
    r.write('a,b\n1,"open\n');
    r.write('2,3');
    expect(() => r.end()).toThrow(/line 2 is never closed/);
  });
});
