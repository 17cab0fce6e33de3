/**
 * Plotly figure to PNG with the system's headless Chromium and the plotly.js
 * in node_modules, read from disk: nothing is fetched. One browser and one
 * page (with plotly.js loaded once) serve the whole kernel process.
 */
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../lib/report/pdf.ts';

/** A Plotly figure: traces and layout, as plotly.js takes them. */
export interface PlotlyFigure {
  data: readonly unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Size of the rendered image, in CSS pixels (times `scale` in actual pixels). */
export interface PngOptions {
  width?: number;
  height?: number;
  scale?: number;
}

/** Default image size: close to the report's figure width. */
export const DEFAULT_PNG_SIZE = { width: 690, height: 400 } as const;

let pagePromise: Promise<Page> | undefined;
let browserPromise: Promise<Browser> | undefined;
let queue: Promise<unknown> = Promise.resolve();

function plotlyScriptPath(): string {
  return createRequire(import.meta.url).resolve('plotly.js/dist/plotly.min.js');
}

async function openPage(): Promise<Page> {
  browserPromise = chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
    // tslab interrupts a cell with SIGINT: that must not kill the shared browser.
    handleSIGINT: false,
  });
  const browser = await browserPromise;
  browser.on('disconnected', () => {
    pagePromise = undefined;
    browserPromise = undefined;
  });
  const page = await browser.newPage();
  await page.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith('data:') || url === 'about:blank' ? route.continue() : route.abort();
  });
  await page.setContent('<!doctype html><html><body style="margin:0"><div id="figure"></div></body></html>');
  await page.addScriptTag({ path: plotlyScriptPath() });
  return page;
}

async function render(fig: PlotlyFigure, opts: PngOptions): Promise<Buffer> {
  pagePromise ??= openPage();
  let page: Page;
  try {
    page = await pagePromise;
  } catch (err) {
    pagePromise = undefined;
    throw err;
  }
  const width = opts.width ?? DEFAULT_PNG_SIZE.width;
  const height = opts.height ?? DEFAULT_PNG_SIZE.height;
  const scale = opts.scale ?? 1;
  const dataUrl = await page.evaluate(
    async ({ data, layout, width, height, scale }) => {
      const Plotly = (globalThis as unknown as { Plotly: PlotlyApi }).Plotly;
      const el = document.getElementById('figure');
      if (!el) throw new Error('the figure element is missing');
      await Plotly.newPlot(el, data, { ...layout, width, height }, { staticPlot: true });
      const png = await Plotly.toImage(el, { format: 'png', width, height, scale });
      Plotly.purge(el);
      return png;
    },
    { data: fig.data, layout: fig.layout ?? {}, width, height, scale },
  );
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('plotly.js did not return a PNG');
  return Buffer.from(dataUrl.slice(prefix.length), 'base64');
}

interface PlotlyApi {
  newPlot(el: HTMLElement, data: readonly unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  toImage(el: HTMLElement, opts: Record<string, unknown>): Promise<string>;
  purge(el: HTMLElement): void;
}

/** Render `fig` to PNG bytes. Calls are serialised: they share one page. */
export function renderFigurePng(fig: PlotlyFigure, opts: PngOptions = {}): Promise<Buffer> {
  const job = queue.then(() => render(fig, opts));
  queue = job.catch(() => undefined);
  return job;
}

/** Close the shared browser (it is also killed when the process exits). */
export async function closeFigureBrowser(): Promise<void> {
  const browser = browserPromise;
  pagePromise = undefined;
  browserPromise = undefined;
  if (browser) await (await browser).close();
}
