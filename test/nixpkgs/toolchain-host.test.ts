import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { expect, it } from 'vitest';
import { readElfFile } from '../../src/elf/index.js';
import { parseVersionName } from '../../src/elf/version-names.js';
import { highestOfFamily } from '../../src/plan/symbol-versions.js';
import { abiAdvice } from '../../src/plan/abi-advice.js';
import { firstGccProviding, dottedNumbers, highestProvidedBy, toolchain } from '../../src/nixpkgs/toolchain.js';
import { describeWithTool } from '../helpers/tools.js';

/**
 * The tables against real libraries: this machine's Debian libstdc++6, libgcc-s1 and libc6, whose
 * package versions name the GCC / glibc release they were built from. What their DT_VERDEF
 * actually defines must be what the tables say that release defines.
 */
const DIR = '/usr/lib/x86_64-linux-gnu';
const pkgVersion = (pkg: string): string =>
  execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).replace(/^\d+:/, '');
const defined = (file: string): string[] => readElfFile(realpathSync(`${DIR}/${file}`)).verdef;
const upstream = (v: string): string => /^[0-9]+(?:\.[0-9]+)*/.exec(v)![0];

describeWithTool('dpkg-query', 'toolchain tables against the host libraries', () => {

  it('libstdc++.so.6 defines exactly what the ABI table gives its GCC release', () => {
    const gcc = upstream(pkgVersion('libstdc++6:amd64')); // e.g. 12.2.0
    const defs = defined('libstdc++.so.6');
    for (const family of ['GLIBCXX', 'CXXABI']) {
      const have = highestOfFamily(defs, family);
      expect(have, family).not.toBeNull();
      expect(highestProvidedBy(toolchain(), gcc, family), `${family} of gcc ${gcc}`).toBe(have);
      // And the first release that defines it is not newer than the one that built this library.
      const first = firstGccProviding(toolchain(), have!)!;
      expect(dottedNumbers(first.gcc)[0]).toBeLessThanOrEqual(dottedNumbers(gcc)[0]!);
    }
  });

  it("libgcc_s.so.1's newest GCC_ label names its GCC major", () => {
    const gcc = upstream(pkgVersion('libgcc-s1:amd64'));
    const top = highestOfFamily(defined('libgcc_s.so.1'), 'GCC')!;
    const a = abiAdvice({ version: top, library: null, requiredBy: null });
    expect(a.kind === 'gcc-runtime' && a.firstGcc).toBe(String(dottedNumbers(gcc)[0]));
  });

  it("libc.so.6's newest GLIBC_ label is its own release (GLIBC_2.x first ships with glibc 2.x)", () => {
    const glibc = upstream(pkgVersion('libc6:amd64')); // e.g. 2.36
    const top = highestOfFamily(defined('libc.so.6'), 'GLIBC')!;
    expect(parseVersionName(top)!.numbers.join('.')).toBe(glibc);
    const a = abiAdvice({ version: top, library: null, requiredBy: null });
    expect(a.kind === 'glibc' && a.neededGlibc).toBe(glibc);
  });
});
