import { afterAll, describe, expect, it } from 'vitest';
import { from } from 'arquero';
import {
  PLOTLY_MIME,
  displayBundle,
  escapeHtml,
  figureBundle,
  formatCell,
  plainFigure,
  tableData,
  tableHtml,
  tableText,
} from '../../kernel/display.ts';
import { closeFigureBrowser, renderFigurePng } from '../../kernel/figure_png.ts';

const rows = [
  { sport: 'running', km: 10.123456789, when: new Date(Date.UTC(2024, 2, 31, 22, 30)) },
  { sport: '<script>alert("x")</script>', km: 5 },
  { sport: 'rowing', km: null, extra: { a: 1 } },
];

describe('tables', () => {
  it('collects columns in first-seen order from row objects', () => {
    const t = tableData(rows);
    expect(t.columns).toEqual(['sport', 'km', 'when', 'extra']);
    expect(t.total).toBe(3);
    expect(t.rows[1]).toEqual(['<script>alert("x")</script>', 5, undefined, undefined]);
  });

  it('formats values: UTC ISO dates, six significant digits, JSON objects, empty nulls', () => {
    expect(formatCell(new Date(Date.UTC(2024, 2, 31, 22, 30)))).toBe('2024-03-31T22:30:00.000Z');
    expect(formatCell(10.123456789)).toBe('10.1235');
    expect(formatCell(0.1 + 0.2)).toBe('0.3');
    expect(formatCell(42)).toBe('42');
    expect(formatCell(null)).toBe('');
    expect(formatCell({ a: 1, n: 2n })).toBe('{"a":1,"n":"2"}');
  });

  it('escapes every value and header in HTML', () => {
    const html = tableHtml(rows, { caption: 'a & b' });
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;</td>');
    expect(html).toContain('<caption>a &#38; b</caption>');
    expect(html).toContain('<td style="text-align:right">10.1235</td>');
    expect(html).toContain('<td>{&#34;a&#34;:1}</td>');
    expect(escapeHtml(`'&`)).toBe('&#39;&#38;');
  });

  it('truncates to maxRows with a note saying how many rows there were', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ i }));
    const html = tableHtml(many, { maxRows: 10 });
    expect(html.match(/<tr>/g)).toHaveLength(11);
    expect(html).toContain('<p class="apt-table-note">10 of 120 rows shown</p>');
    expect(tableHtml(many).match(/<tr>/g)).toHaveLength(51);
    expect(tableText(many, { maxRows: 2 })).toBe('i\n0\n1\n2 of 120 rows shown');
    expect(tableHtml(many.slice(0, 3))).not.toContain('rows shown');
  });

  it('reads arquero tables', () => {
    const t = tableData(from([{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, b: 'z' }]), 2);
    expect(t).toEqual({ columns: ['a', 'b'], rows: [[1, 'x'], [2, 'y']], total: 3 });
  });

  it('reads danfo DataFrames', async () => {
    const dfd = (await import('danfojs-node')) as unknown as { DataFrame: new (rows: unknown[]) => { columns: string[]; values: unknown[][]; shape: number[] } };
    const df = new dfd.DataFrame([{ a: 1, b: '<y>' }, { a: 2, b: 'z' }]);
    expect(tableData(df)).toEqual({ columns: ['a', 'b'], rows: [[1, '<y>'], [2, 'z']], total: 2 });
    expect(tableHtml(df)).toContain('<td>&#60;y&#62;</td>');
  }, 30_000);
});

describe('figures', () => {
  afterAll(() => closeFigureBrowser());

  it('turns typed arrays into arrays and NaN into null in the Plotly JSON', () => {
    const fig = plainFigure({ data: [{ type: 'scatter', x: new Float64Array([1, 2]), y: [NaN, 3] }] });
    expect(fig).toEqual({ data: [{ type: 'scatter', x: [1, 2], y: [null, 3] }] });
  });

  it('bundles the PNG, the Plotly JSON and a text line', () => {
    const b = figureBundle({ data: [{ type: 'bar', y: [1] }], layout: { title: 't' } }, new Uint8Array([1, 2, 3]), { width: 300, height: 200 });
    expect(b.data['image/png']).toBe('AQID');
    expect(b.data[PLOTLY_MIME]).toEqual({ data: [{ type: 'bar', y: [1] }], layout: { title: 't' } });
    expect(b.data['text/plain']).toBe('Plotly figure with 1 trace');
    expect(b.metadata).toEqual({ 'image/png': { width: 300, height: 200 } });
  });

  it('renders a figure to a PNG of the asked size with headless Chromium, twice on one browser', async () => {
    const fig = { data: [{ type: 'scatter', x: [1, 2, 3], y: [2, 1, 3] }] };
    const [a, b] = await Promise.all([renderFigurePng(fig, { width: 320, height: 240 }), renderFigurePng(fig, { width: 200, height: 100, scale: 2 })]);
    expect(a.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([a.readUInt32BE(16), a.readUInt32BE(20)]).toEqual([320, 240]);
    expect([b.readUInt32BE(16), b.readUInt32BE(20)]).toEqual([400, 200]);
  }, 60_000);

  it('refuses to display outside a tslab kernel, saying why', () => {
    expect(() => displayBundle({ data: { 'text/plain': 'x' }, metadata: {} })).toThrow(/running tslab kernel/);
  });
});
