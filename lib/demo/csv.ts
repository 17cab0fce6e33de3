/** CSV text as the exporting services write it: comma-separated, quoted only when needed, LF line ends. */

/** One field: quoted when it holds a comma, a quote or a line break; null and undefined become empty. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line (without its terminator). */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(',');
}

/** A whole file: header plus rows, each line ending in `\n`. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  let out = `${csvLine(header)}\n`;
  for (const row of rows) out += `${csvLine(row)}\n`;
  return out;
}
