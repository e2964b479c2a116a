import { expect, it, describe } from 'vitest';
import { run, SYMVER } from '../e2e/harness.js';

/**
 * fixtures/doctor/symver: an extension linked against newer builds of libvers.so.1 (VERS_2.0)
 * and of a libstdc++.so.6 stand-in (GLIBCXX_3.4.32), shipped with older builds (VERS_1.0; up to
 * GLIBCXX_3.4.30) that its RUNPATH finds. glibc's loader refuses it (see
 * fixtures/doctor/errors/real-ctypes-vers.txt); doctor must say why and what to do.
 */
describe('doctor: symbol versions', () => {
  it('reports each version the resolved library lacks, with the highest it has and a way out', async () => {
    const r = await run(['doctor', '--project', SYMVER, '--venv', `${SYMVER}/venv`, '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.libraries).toEqual([]);
    expect(doc.versionProblems).toEqual([
      expect.objectContaining({
        neededBy: 'lib/python3.12/site-packages/verspkg/_ext.cpython-312-x86_64-linux-gnu.so',
        soname: 'libstdc++.so.6',
        missing: ['GLIBCXX_3.4.32'],
        providesUpTo: 'GLIBCXX_3.4.30',
      }),
      expect.objectContaining({ soname: 'libvers.so.1', missing: ['VERS_2.0'], providesUpTo: 'VERS_1.0' }),
    ]);
    expect(doc.versionProblems[0].libraryPath).toMatch(/verspkg\.libs\/libstdc\+\+\.so\.6$/);
    expect(doc.versionProblems[0].advice).toContain('pkgs.gcc13.cc.lib');
  });

  it('says it in the words of the issue', async () => {
    const r = await run(['doctor', '--project', SYMVER, '--venv', `${SYMVER}/venv`]);
    expect(r.out).toMatch(
      /GLIBCXX_3\.4\.32 needed by verspkg\/_ext\.cpython-312-x86_64-linux-gnu\.so, the libstdc\+\+\.so\.6 at \S+verspkg\.libs\/libstdc\+\+\.so\.6 provides up to GLIBCXX_3\.4\.30/,
    );
    expect(r.out).toMatch(/VERS_2\.0 needed by .*, the libvers\.so\.1 at \S+ provides up to VERS_1\.0/);
    expect(r.out).toContain('way out:');
  });

  it('reads the library a pasted version error names, when it exists here', async () => {
    const lib = `${SYMVER}/venv/lib/python3.12/site-packages/verspkg.libs/libstdc++.so.6`;
    const text = `ImportError: ${lib}: version \`GLIBCXX_3.4.33' not found (required by /elsewhere/x.so)\n`;
    const doc = JSON.parse((await run(['doctor', '--project', SYMVER, '--venv', `${SYMVER}/venv`, '--json'], { stdin: text })).out);
    expect(doc.versionProblems).toContainEqual(
      expect.objectContaining({ neededBy: '/elsewhere/x.so', libraryPath: lib, missing: ['GLIBCXX_3.4.33'], providesUpTo: 'GLIBCXX_3.4.30' }),
    );
  });
});
