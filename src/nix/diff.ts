import { createTwoFilesPatch, structuredPatch, type StructuredPatch } from 'diff';
import type { ChalkInstance } from 'chalk';

/**
 * Unified diffs of a patched Nix file, made with the `diff` package (jsdiff). `--dry-run` prints
 * these; tests use the structured form to check which lines an edit touched.
 */

/** `git diff`-style unified diff of `before` → `after` for `name`; '' when they are equal. */
export function unifiedDiff(name: string, before: string, after: string, chalk?: ChalkInstance): string {
  if (before === after) return '';
  const text = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  // jsdiff opens with an "Index:" line and a ==== rule; a plain unified diff starts at ---.
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('--- '));
  const body = (start >= 0 ? lines.slice(start) : lines).join('\n');
  return chalk ? colourDiff(body, chalk) : body;
}

function colourDiff(text: string, chalk: ChalkInstance): string {
  return text
    .split('\n')
    .map((l) => {
      if (l.startsWith('--- ') || l.startsWith('+++ ')) return chalk.bold(l);
      if (l.startsWith('@@')) return chalk.cyan(l);
      if (l.startsWith('+')) return chalk.green(l);
      if (l.startsWith('-')) return chalk.red(l);
      return l;
    })
    .join('\n');
}

export interface ChangedLines {
  /** 1-based line numbers of the original that were removed or replaced. */
  removed: number[];
  /**
   * For each added line, the 1-based original line it was inserted after (0 = before line 1),
   * so an insertion can be located in the original file.
   */
  insertedAfter: number[];
}

/** Which original lines an edit touched (no context, so each hunk is exactly its change). */
export function changedLines(before: string, after: string): ChangedLines {
  const patch: StructuredPatch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 });
  const removed: number[] = [];
  const insertedAfter: number[] = [];
  for (const h of patch.hunks) {
    // jsdiff numbers a pure insertion (oldLines 0) by the original line it lands before.
    let oldLine = h.oldStart;
    for (const l of h.lines) {
      if (l.startsWith('-')) {
        removed.push(oldLine);
        oldLine++;
      } else if (l.startsWith('+')) {
        insertedAfter.push(oldLine - 1);
      } else if (l.startsWith(' ')) {
        oldLine++;
      }
    }
  }
  return { removed, insertedAfter };
}
