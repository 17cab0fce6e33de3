/** Terminal output: tables, CSV, JSON and a progress bar on stderr. */

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Rows as an aligned text table with a header rule. */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((r) => r[i]!.length))));
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const lines = [columns.map((c, i) => fit(c, widths[i]!)).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) lines.push(r.map((v, i) => fit(v, widths[i]!)).join('  ').trimEnd());
  return lines.join('\n');
}

/** Rows as RFC 4180 CSV. */
export function formatCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [columns.map(q).join(','), ...rows.map((r) => columns.map((c) => q(cell(r[c]))).join(','))].join('\n');
}

/** Rows as a JSON array of objects (dates as ISO strings). */
export function formatJson(rows: readonly Record<string, unknown>[]): string {
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export function progressBar(label: string): { update(done: number, total: number, note?: string): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(done, total, note = '') {
      if (!tty) return;
      const now = Date.now();
      if (done < total && now - last < 80) return;
      last = now;
      const width = 28;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      const pct = total > 0 ? Math.round((done / total) * 100) : 0;
      const tail = note.length > 40 ? '…' + note.slice(-39) : note;
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total} ${tail}\x1b[K`);
    },
    end() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}
