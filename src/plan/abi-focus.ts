/**
 * doctor's `focus` entries for the symbol-version errors a paste names: the answer first, as a
 * sentence (`verdict`) and as data (`abi`), once per distinct answer (a loader that fails for
 * four objects prints the same error four times).
 */
import { abiAdvice, type AbiAdvice, type AdviceOptions } from './abi-advice.js';
import { abiVerdict } from './abi-verdict.js';
import { sonameForVersionFamily, type LoaderFinding } from './error-text.js';

export interface VersionFocus {
  soname: string;
  verdict: string;
  abi: AbiAdvice;
}

export function versionFocus(findings: readonly LoaderFinding[], o: AdviceOptions = {}): VersionFocus[] {
  const out: VersionFocus[] = [];
  for (const f of findings) {
    if (f.kind !== 'missing-version') continue;
    const soname = f.soname ?? sonameForVersionFamily(f.version) ?? '(unknown library)';
    const abi = abiAdvice(f, o);
    const verdict = abiVerdict(abi, soname);
    if (out.some((x) => x.soname === soname && x.verdict === verdict)) continue;
    out.push({ soname, verdict, abi });
  }
  return out;
}
