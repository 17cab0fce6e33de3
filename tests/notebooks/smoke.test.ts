import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from '../helpers/shared.ts';
import { runNotebook, type ExecutedNotebook } from '../helpers/jupyter.ts';
import { PLOTLY_MIME } from '../../kernel/display.ts';

describe('notebooks/00_smoke.ipynb through Jupyter and the tslab kernel', () => {
  let nb: ExecutedNotebook;

  // runNotebook rejects, naming the cell and its error, if any cell fails.
  beforeAll(async () => {
    nb = await runNotebook(join(ROOT, 'notebooks', '00_smoke.ipynb'), { timeoutS: 120 });
  }, 240_000);

  it('runs every cell, printing no diagnostics', () => {
    expect(nb.cells.map((c) => c.cellType)).toEqual(['markdown', 'code', 'code', 'code']);
    // The import cell prints nothing: no compile diagnostics on stderr.
    expect(nb.cells[1]!.outputs).toEqual([]);
  });

  it('shows the table of mapped sports as escaped HTML', () => {
    const out = nb.cells[2]!.outputs;
    expect(out).toHaveLength(1);
    const html = out[0]!.data!['text/html'] as string;
    const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]));
    expect(rows).toEqual([
      ['name', 'sport', 'category'],
      ['Running', 'running', 'ENDURANCE'],
      ['road_biking', 'cycling', 'ENDURANCE'],
      ['Yoga', 'yoga', 'MIXED'],
    ]);
    expect(out[0]!.data!['text/plain']).toBe('name\tsport\tcategory\nRunning\trunning\tENDURANCE\nroad_biking\tcycling\tENDURANCE\nYoga\tyoga\tMIXED');
  });

  it('shows the figure as a PNG of the asked size plus the Plotly JSON', () => {
    const out = nb.cells[3]!.outputs;
    expect(out).toHaveLength(1);
    const data = out[0]!.data!;
    const png = Buffer.from(data['image/png'] as string, 'base64');
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height, big-endian, at bytes 16..24.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([480, 320]);
    expect(png.length).toBeGreaterThan(2_000);
    expect(data[PLOTLY_MIME]).toEqual({
      data: [{ type: 'bar', x: ['Mon', 'Tue', 'Wed'], y: [5, 8, 3], name: 'km' }],
      layout: { title: { text: 'Smoke test' }, margin: { t: 40, r: 10, b: 30, l: 40 } },
    });
    expect(out[0]!.metadata).toEqual({ 'image/png': { width: 480, height: 320 } });
  });

  it('keeps the executed notebook small (no inlined plotly.js)', () => {
    expect(nb.bytes).toBeLessThan(1_000_000);
    expect(JSON.stringify(nb.cells)).not.toContain('plotly.min.js');
  });
});
