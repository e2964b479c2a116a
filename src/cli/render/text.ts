import wrapAnsi from 'wrap-ansi';

/** Wraps at `width`, continuation lines indented two more than the line's own indentation. */
export function wrapLine(line: string, width: number): string {
  const lead = /^ */.exec(line)![0].length;
  const body = wrapAnsi(line.slice(lead), Math.max(20, width - lead - 2), { hard: true, trim: true });
  return body
    .split('\n')
    .map((l, i) => ' '.repeat(i === 0 ? lead : lead + 2) + l)
    .join('\n');
}

/** The warning for [tool.nixpy] ignore entries that match nothing. */
export function staleIgnore(entries: readonly string[]): string {
  const quoted = entries.map((e) => `"${e}"`).join(', ');
  return `[tool.nixpy] ignore: ${quoted} ${entries.length === 1 ? 'matches' : 'match'} nothing the venv is missing: stale or misspelled?`;
}

/** Lists at most `max` items, then "and N more". */
export function truncateList(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
