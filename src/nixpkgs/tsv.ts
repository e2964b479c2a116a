/**
 * The rows of one of the curated tables (src/nixpkgs/data/*.tsv): tab-separated, blank lines and
 * `#` comments skipped, each row with its `file:line` for the table's own error messages.
 */
export interface TsvRow {
  cols: string[];
  where: string;
}

export function tsvRows(tsv: string, file: string, minColumns: number, maxColumns = minColumns): TsvRow[] {
  const out: TsvRow[] = [];
  const expected = minColumns === maxColumns ? `${minColumns}` : `${minColumns} or ${maxColumns}`;
  tsv.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const cols = line.split('\t');
    const where = `${file}:${i + 1}`;
    if (cols.length < minColumns || cols.length > maxColumns) throw new Error(`${where}: expected ${expected} tab-separated columns, got ${cols.length}`);
    out.push({ cols, where });
  });
  return out;
}
