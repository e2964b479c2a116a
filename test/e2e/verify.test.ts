/**
 * `--verify` end to end, with real Nix 2.8 (local store, offline), a nixpkgs stand-in built from
 * real Debian runtime packages, a venv of real Debian extension modules (PIL, lxml, numpy), and a
 * NixOS-like root in which glibc's own ld.so is the judge. See verify-harness.ts.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../helpers/tools.js';
import { verifyShell, type Expectation, type VerifyResult } from '../../src/verify/index.js';
import { venvJudge } from '../../src/cli/verify.js';
import { realEngine } from '../../src/plan/engine-real.js';
import { run } from './harness.js';
import {
  NIX_ENV,
  extensionModules,
  fetchDebs,
  fillVenv,
  ldSoJudge,
  makeProject,
  makeRoot,
  makeStandIn,
  pythonInRoot,
  readText,
  shellLibraryPath,
  type Project,
} from './verify-harness.js';

const REPO = resolve(import.meta.dirname, '../..');
const CXX_FIXTURE = join(REPO, 'fixtures/verify/cxxpkg');

interface DoctorJson {
  libraries: { soname: string; pick: string | null }[];
  patch: { add: string[]; applied: boolean } | null;
}

let base = '';

/** What doctor proposes for a project: the patched text (the file itself restored) and picks. */
async function proposal(p: Project): Promise<{ text: string; expected: Expectation[]; add: string[] }> {
  const before = readText(p.flake);
  const r = await run(['doctor', '--fix', '--json', '--no-stdin', '--project', p.dir], { env: NIX_ENV });
  const doc = JSON.parse(r.out) as DoctorJson;
  const text = readText(p.flake);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(p.flake, before);
  const expected = doc.libraries.filter((l) => l.pick !== null).map((l) => ({ soname: l.soname, attr: l.pick! }));
  return { text, expected, add: doc.patch?.add ?? [] };
}

function verify(p: Project, text: string, expected: Expectation[]): Promise<VerifyResult> {
  return verifyShell({
    nixFile: p.flake,
    text,
    venv: p.venv,
    shell: 'default',
    expected,
    judge: venvJudge(realEngine({ env: { XDG_CACHE_HOME: join(base, 'no-cache') } })),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...NIX_ENV },
    tty: false,
  });
}

/** The project directory holds only what it held before (no temporary copy left behind). */
function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

// Root is needed for chroot; apt-get and dpkg-deb fetch the Debian packages, patchelf sets the
// stand-in's RUNPATHs, git makes the project a checkout as most flakes are.
const TOOLS = ['nix', 'nix-store', 'apt-get', 'dpkg-deb', 'patchelf', 'git', 'chroot'];

describeWithTools(TOOLS, 'verify: real Nix, real Debian libraries, real ld.so', () => {
  let main: Project;
  let standIn: string;

  beforeAll(() => {
    fetchDebs();
    base = mkdtempSync('/tmp/nixpy-e2e-verify-');
    standIn = makeStandIn(join(base, 'nixpkgs')).dir;
    main = makeProject(join(base, 'main'), standIn, ['zlib']);
    fillVenv(main.venv);
    // A cold cache downloads about 50 Debian packages first; a busy 2-core CI machine is slow.
  }, 600_000);
  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('before the fix the modules fail in the root; after it every one loads and Python imports them', async () => {
    const modules = extensionModules(main.venv);
    expect(modules.length).toBeGreaterThanOrEqual(30);
    const beforePath = shellLibraryPath(main);
    const root = join(base, 'root-main');
    makeRoot(root, main.venv, beforePath);
    const failing = modules.filter((m) => !ldSoJudge(root, m, beforePath).ok).map((m) => m.slice(main.venv.length + 1));
    expect(failing).toEqual(expect.arrayContaining([
      expect.stringMatching(/PIL\/_imaging\.cpython/),
      expect.stringMatching(/lxml\/etree\.cpython/),
      expect.stringMatching(/numpy\/core\/_multiarray_umath\.cpython/),
    ]));

    // The unchanged shell does not verify, and says which modules fail for which soname.
    const unchanged = await verify(main, readText(main.flake), []);
    expect(unchanged.status).toBe('failed');
    expect(unchanged.failures.map((f) => f.soname)).toEqual(expect.arrayContaining(['libjpeg.so.62', 'libxml2.so.2', 'libblas.so.3']));

    const listing = entries(main.dir);
    const original = readText(main.flake);
    const { text, expected, add } = await proposal(main);
    expect(add.length).toBeGreaterThan(5);
    const result = await verify(main, text, expected);
    expect(result.failures).toEqual([]);
    expect(result.status).toBe('verified');
    expect(result.objects).toBe(modules.length);
    expect(result.libraryPath.length).toBe(add.length + 1);
    for (const d of result.libraryPath) expect(d).toMatch(/^\/nix\/store\/[0-9a-z]{32}-.*\/lib$/);
    expect(entries(main.dir)).toEqual(listing);
    expect(readText(main.flake)).toBe(original);

    // The same shell as the flake defines it once patched: glibc's ld.so agrees, module by module.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(main.flake, text);
    const afterPath = shellLibraryPath(main);
    expect(afterPath).toEqual(result.libraryPath);
    makeRoot(root, main.venv, afterPath);
    const still = modules.map((m) => ldSoJudge(root, m, afterPath)).filter((v) => !v.ok);
    expect(still.map((v) => `${v.module}: ${v.output}`)).toEqual([]);
    const py = pythonInRoot(root, main.venv, 'import PIL._imaging, lxml.etree; print("imported")', afterPath);
    expect(py.output).toContain('imported');
    expect(py.status).toBe(0);
    writeFileSync(main.flake, original);
  }, 300_000);

  it('doctor --fix --verify writes the change and proves it (exit 0); check --verify agrees', async () => {
    const original = readText(main.flake);
    const r = await run(['doctor', '--fix', '--verify', '--json', '--no-stdin', '--project', main.dir], { env: NIX_ENV });
    const doc = JSON.parse(r.out) as DoctorJson & { verify: VerifyResult };
    expect(doc.verify.failures).toEqual([]);
    expect(doc.verify.status).toBe('verified');
    expect(doc.patch?.applied).toBe(true);
    expect(r.code).toBe(0);
    expect(readText(main.flake)).not.toBe(original);
    expect(entries(main.dir)).toEqual(['.git', '.gitignore', '.venv', 'flake.lock', 'flake.nix', 'pyproject.toml']);

    const c = await run(['check', '--verify', '--project', main.dir], { env: NIX_ENV });
    expect(c.out).toMatch(new RegExp(`verified: all ${extensionModules(main.venv).length} extension modules resolve in the new shell`));
    expect(c.code).toBe(0);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(main.flake, original);
  }, 300_000);

  it('a pick the user nixpkgs builds without the soname: verify names the package, its version and what it ships; ld.so agrees', async () => {
    // An older nixpkgs whose libwebp ships only libwebp.so.7 (mux and demux split off).
    const old = makeStandIn(join(base, 'nixpkgs-split-webp'), { only: { libwebp: ['libwebp.so.7'] } }).dir;
    const p = makeProject(join(base, 'split-webp'), old, ['zlib']);
    fillVenv(p.venv);
    const { text, expected } = await proposal(p);
    const r = await verify(p, text, expected);
    expect(r.status).toBe('failed');
    const webp = r.failures.filter((f) => f.soname === 'libwebpmux.so.3');
    expect(webp.map((f) => f.file)).toEqual([expect.stringMatching(/PIL\/_webp\.cpython/)]);
    expect(webp[0]!.reason).toMatch(/^pkgs\.libwebp \(libwebp-[0-9.]+\) does not ship libwebpmux\.so\.3: its lib\/ ships libwebp\.so\.7$/);
    // Everything else loads: only the modules that need the split-off libraries fail.
    expect(new Set(r.failures.map((f) => f.soname))).toEqual(new Set(['libwebpmux.so.3', 'libwebpdemux.so.2']));

    const { writeFileSync } = await import('node:fs');
    writeFileSync(p.flake, text);
    const path = shellLibraryPath(p);
    const root = join(base, 'root-split-webp');
    makeRoot(root, p.venv, path);
    const webpModule = extensionModules(p.venv).find((m) => m.includes('PIL/_webp.'))!;
    const verdict = ldSoJudge(root, webpModule, path);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toMatch(/libwebp(mux|demux)\.so\.[23]/);

    // check --verify on the patched file: exit 1, the same failures.
    const c = await run(['check', '--verify', '--json', '--project', p.dir], { env: NIX_ENV });
    const doc = JSON.parse(c.out) as { verify: VerifyResult };
    expect(doc.verify.status).toBe('failed');
    expect(doc.verify.failures).toEqual(r.failures);
    expect(c.code).toBe(1);
  }, 300_000);

  it('an attribute the user nixpkgs lacks: verify fails with Nix own message and names the soname', async () => {
    const old = makeStandIn(join(base, 'nixpkgs-no-raqm'), { without: ['libraqm'] }).dir;
    const p = makeProject(join(base, 'no-raqm'), old, ['zlib']);
    fillVenv(p.venv);
    const listing = entries(p.dir);
    const { text, expected } = await proposal(p);
    const r = await verify(p, text, expected);
    expect(r.status).toBe('failed');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.soname).toBe('libraqm.so.0');
    expect(r.failures[0]!.file).toBe(p.flake);
    expect(r.failures[0]!.reason).toContain("pkgs.libraqm (picked for libraqm.so.0) does not exist in this nixpkgs");
    expect(r.failures[0]!.reason).toContain("error: attribute 'libraqm' missing");
    expect(entries(p.dir)).toEqual(listing);
  }, 300_000);

  it('a libstdc++ older than the module needs: verify names the versions; ld.so refuses the same way', async () => {
    const p = makeProject(join(base, 'cxx'), standIn, ['zlib']);
    fillVenv(p.venv, [{ from: CXX_FIXTURE, to: 'cxxpkg' }]);
    const { text, expected } = await proposal(p);
    expect(expected).toContainEqual({ soname: 'libstdc++.so.6', attr: 'stdenv.cc.cc.lib' });
    const r = await verify(p, text, expected);
    expect(r.status).toBe('failed');
    expect(r.failures).toHaveLength(1);
    const f = r.failures[0]!;
    expect(f.file).toBe('lib/python3.11/site-packages/cxxpkg/_cxx.cpython-311-x86_64-linux-gnu.so');
    expect(f.soname).toBe('libstdc++.so.6');
    expect(f.reason).toMatch(/^GLIBCXX_3\.4\.32 needed by .*_cxx\..*, the libstdc\+\+\.so\.6 at \/nix\/store\/[0-9a-z]{32}-gcc-[0-9.]+-lib\/lib\/libstdc\+\+\.so\.6 provides up to GLIBCXX_3\.4\.30; /);
    expect(f.reason).toContain('gcc13.cc.lib');

    const { writeFileSync } = await import('node:fs');
    writeFileSync(p.flake, text);
    const path = shellLibraryPath(p);
    const root = join(base, 'root-cxx');
    makeRoot(root, p.venv, path);
    const verdict = ldSoJudge(root, join(p.venv, 'lib/python3.11/site-packages/cxxpkg/_cxx.cpython-311-x86_64-linux-gnu.so'), path);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain("version `GLIBCXX_3.4.32' not found");
  }, 300_000);
});
