import type { MissingSoname } from '../scan/types.js';
import { missingAttributeOf, nixErrorExcerpt, storeName } from './interpret.js';
import type { AttrInfo, Expectation, VerifyFailure } from './types.js';

/**
 * Turning what Nix and the loader model found into failures a user can act on. Pure: directory
 * listings come in as data.
 */

export interface JudgeInput {
  /** Sonames the loader model still cannot find with the shell's library path. */
  missing: readonly MissingSoname[];
  /** Symbol-version refusals, already described (VenvJudge.versionFailures). */
  versionFailures: readonly VerifyFailure[];
  expected: readonly Expectation[];
  attrs: readonly AttrInfo[];
  /** Names of the files in DIR/lib of a realised package, or null when it is not there. */
  libFiles: (outPath: string) => readonly string[] | null;
}

const MAX_LISTED = 12;

function listFiles(files: readonly string[]): string {
  const so = files.filter((f) => /\.so(\.|$)/.test(f)).sort();
  if (so.length === 0) return 'no shared libraries at all';
  const shown = so.slice(0, MAX_LISTED).join(', ');
  return so.length > MAX_LISTED ? `${shown} and ${so.length - MAX_LISTED} more` : shown;
}

/** Why `soname` is still missing, in terms of the attribute that was meant to bring it. */
function whyMissing(m: MissingSoname, input: JudgeInput): string {
  const exp = input.expected.find((e) => e.soname === m.soname);
  if (exp === undefined) {
    if (m.category === 'driver') return `${m.soname} not found: the GPU driver's library directory is not on the library path (or no driver is installed)`;
    if (m.category === 'venv') return `${m.soname} not found: the venv ships it (${(m.providedBy ?? []).join(', ')}) but not where the loader looks`;
    return `${m.soname} not found in any directory of the library path`;
  }
  const info = input.attrs.find((a) => a.attr === exp.attr);
  if (!info || info.outPath === null) {
    return `${m.soname} not found: pkgs.${exp.attr} was meant to bring it, but nixpy could not locate that package's output`;
  }
  const version = info.name ?? storeName(info.outPath) ?? info.outPath;
  const files = input.libFiles(info.outPath);
  const ships = files === null ? `it has no lib/ directory (${info.outPath})` : `its lib/ ships ${listFiles(files)}`;
  return `pkgs.${exp.attr} (${version}) does not ship ${m.soname}: ${ships}`;
}

/** One failure per module and missing soname, then one per symbol-version mismatch. */
export function judgeLoad(input: JudgeInput): VerifyFailure[] {
  const out: VerifyFailure[] = [];
  for (const m of input.missing) {
    const reason = whyMissing(m, input);
    for (const file of m.neededBy) out.push({ file, soname: m.soname, reason });
  }
  out.push(...input.versionFailures);
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.soname ?? '').localeCompare(b.soname ?? '')));
}

/**
 * The shell did not evaluate. When Nix names a missing attribute that nixpy added, say which
 * soname it was for: that attribute does not exist in the user's nixpkgs.
 */
export function judgeEvalError(nixFile: string, stderr: string, expected: readonly Expectation[]): VerifyFailure {
  const excerpt = nixErrorExcerpt(stderr);
  const attr = missingAttributeOf(stderr);
  const exp = attr === null ? undefined : expected.find((e) => e.attr === attr || e.attr.endsWith(`.${attr}`));
  if (exp) {
    return {
      file: nixFile,
      soname: exp.soname,
      reason: `pkgs.${exp.attr} (picked for ${exp.soname}) does not exist in this nixpkgs; nix says:\n${excerpt}`,
    };
  }
  return { file: nixFile, reason: `the dev shell does not evaluate; nix says:\n${excerpt}` };
}
