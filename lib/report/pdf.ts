/**
 * Print the HTML report to PDF with the system's headless Chromium, driven by
 * playwright-core. Nothing is fetched: any request that is not a local file is
 * blocked and reported as an error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** Chromium flags for a quiet, offline, container-friendly headless run. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Options for `renderPdf`. */
export interface PdfOptions {
  /** Text printed at the foot of every page next to the page number. */
  footer?: string;
  /** How long to wait for the figures to be drawn, in ms. */
  timeoutMs?: number;
}

/** The Chromium executable: CHROMIUM_PATH, else /usr/bin/chromium; a clear error when neither exists. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium executable`,
    );
  }
  return path;
}

/**
 * Pages in a PDF: counts `/Type /Page` objects; falls back to pdfinfo when the
 * page objects are hidden in compressed object streams.
 */
export function countPdfPages(pdfPath: string): number {
  const text = readFileSync(pdfPath).toString('latin1');
  const n = (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
  if (n > 0) return n;
  try {
    const info = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
    const m = /^Pages:\s+(\d+)/m.exec(info);
    if (m) return Number(m[1]);
  } catch {
    // pdfinfo is optional; without it the count above stands.
  }
  return n;
}

function footerTemplate(text: string): string {
  const safe = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<div style="font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10px; color: #555; width: 100%; padding: 0 12mm; display: flex; justify-content: space-between;"><span>${safe}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}

/**
 * Print `htmlPath` (a report from `renderReportHtml`) to `pdfPath` on A4 and
 * return the number of pages. Waits until the page sets `window.__reportReady`.
 */
export async function renderPdf(htmlPath: string, pdfPath: string, opts: PdfOptions = {}): Promise<number> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const blocked: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: 'load' });
    await page.waitForFunction('window.__reportReady === true', undefined, { timeout: opts.timeoutMs ?? 60_000 });
    const error = await page.evaluate('window.__reportError');
    if (error) throw new Error(`${htmlPath}: a figure could not be drawn: ${String(error)}`);
    if (blocked.length) throw new Error(`${htmlPath}: the report tried to fetch ${blocked.join(', ')}; it must be self-contained`);
    await page.pdf({
      path: pdfPath,
      format: 'A4',
      printBackground: true,
      margin: { top: '12mm', right: '12mm', bottom: '16mm', left: '12mm' },
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: footerTemplate(opts.footer ?? ''),
    });
  } finally {
    await browser.close();
  }
  return countPdfPages(pdfPath);
}
