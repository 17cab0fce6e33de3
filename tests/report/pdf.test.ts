import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath, countPdfPages } from '../../lib/report/pdf.ts';

const dir = mkdtempSync(join(tmpdir(), 'report-pdf-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chromiumPath', () => {
  it('takes CHROMIUM_PATH and says how to fix a missing executable', () => {
    const saved = process.env.CHROMIUM_PATH;
    try {
      process.env.CHROMIUM_PATH = join(dir, 'no-such-chromium');
      expect(() => chromiumPath()).toThrow(/no-such-chromium.*apt-get install chromium.*CHROMIUM_PATH/);
      const fake = join(dir, 'chromium');
      writeFileSync(fake, '');
      process.env.CHROMIUM_PATH = fake;
      expect(chromiumPath()).toBe(fake);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it('runs Chromium offline and without a sandbox', () => {
    expect(CHROMIUM_ARGS).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-background-networking', '--disable-component-update']));
  });
});

describe('countPdfPages', () => {
  it('counts page objects, not the page tree', () => {
    const pdf = join(dir, 'three.pdf');
    writeFileSync(
      pdf,
      [
        '%PDF-1.4',
        '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
        '2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >> endobj',
        '3 0 obj << /Type /Page /Parent 2 0 R >> endobj',
        '4 0 obj << /Type/Page /Parent 2 0 R >> endobj',
        '5 0 obj << /Type /Page\n/Parent 2 0 R >> endobj',
        '%%EOF',
      ].join('\n'),
    );
    expect(countPdfPages(pdf)).toBe(3);
  });
});
