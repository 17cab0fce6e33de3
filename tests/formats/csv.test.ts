import { describe, expect, it } from 'vitest';
import { bindColumns, columnIndex, convertRow, isoInstant, num, readCsv, utcOffset, wallTime } from '../../lib/formats/csv.ts';
import type { ImportError } from '../../lib/core/models.ts';

describe('readCsv', () => {
  it('reads quoted commas, doubled quotes, line breaks inside quotes, CRLF and a BOM', () => {
    const t = readCsv('\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"line1\nline2",\r\n\r\n3,,z');
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      ['1', 'x, y', 'say "hi"'],
      ['2', 'line1\nline2', ''],
      ['3', '', 'z'],
    ]);
    expect(t.lines).toEqual([2, 3, 6]);
  });

  it('fails clearly on a quote that never closes', () => {
    expect(() => readCsv('a,b\n1,"open\n2,3')).toThrow(/line 2 is never closed/);
  });

  it('addresses repeated names by occurrence', () => {
    const h = ['Distance', 'x', 'Distance'];
    expect(columnIndex(h, 'Distance')).toBe(0);
    expect(columnIndex(h, 'Distance', 1)).toBe(2);
    expect(columnIndex(h, 'Distance', 2)).toBe(-1);
  });

  it('converts a row through a column map, reporting bad cells by column and keeping the rest', () => {
    const header = ['HR', 'Distance', 'Distance'];
    const bound = bindColumns(header, [
      { column: 'HR', field: 'hr', convert: num },
      { column: 'Distance', occurrence: 1, field: 'dist', convert: num },
      { column: 'Distance', field: 'dist', convert: (c: string) => num(c) * 1000 },
      { column: 'Missing', field: 'gone', convert: num },
    ]);
    expect(bound.missing).toEqual(['Missing']);
    const errors: ImportError[] = [];
    expect(convertRow(bound, ['abc', '2.5', ''], 'f.csv', 'row 1', errors)).toEqual({ dist: 2500 });
    expect(errors).toEqual([{ input: 'f.csv', record: 'row 1', field: 'HR', reason: 'not a number (got "abc")' }]);
  });
});

describe('time cells', () => {
  it('parses wall times, offsets and ISO instants without the process zone', () => {
    expect(wallTime('2024-03-05 01:01:00')).toEqual({ wallMs: Date.UTC(2024, 2, 5, 1, 1, 0), day: '2024-03-05' });
    expect(() => wallTime('2024-02-30 01:00:00')).toThrow(/valid/);
    expect(utcOffset('UTC-04:00')).toBe(-240);
    expect(utcOffset('+05:30')).toBe(330);
    expect(utcOffset('UTC')).toBe(0);
    const t = isoInstant('2024-01-01T23:30:00.500+10:00');
    expect(t.time.toISOString()).toBe('2024-01-01T13:30:00.500Z');
    expect(t.offsetMin).toBe(600);
    expect(t.day).toBe('2024-01-01');
    expect(() => isoInstant('2024-01-01T23:30:00')).toThrow(/offset/);
  });
});
