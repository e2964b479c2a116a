import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTool } from '../helpers/tools.js';
import { nixParseText } from '../helpers/nix.js';
import { verifyExpr } from '../../src/verify/expr.js';
import { verifyShell, type VerifyRequest } from '../../src/verify/index.js';
import type { RunNix } from '../../src/verify/nix-run.js';
import { venvJudge } from '../../src/cli/verify.js';
import { realEngine } from '../../src/plan/engine-real.js';

const judge = venvJudge(realEngine({ env: {} }));

/**
 * verifyShell with real Nix on shell.nix / default.nix files (the flake path is proven end to end
 * in test/e2e/verify.test.ts). Derivations are builtins.derivation with /bin/sh: no nixpkgs.
 */

const NIX_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NIX_CONFIG: 'substituters =\nbuild-users-group =\nsandbox = false\nexperimental-features = nix-command flakes',
};

const LIBDIR = (name: string): string =>
  `"\${derivation { name = "${name}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "/bin/mkdir -p $out/lib" ]; }}/lib"`;

let dir = '';
let venv = '';

function request(file: string, text: string, over: Partial<VerifyRequest> = {}): VerifyRequest {
  return { nixFile: join(dir, file), text, venv, shell: 'default', expected: [], judge, env: NIX_ENV, tty: false, ...over };
}

describe('verifyExpr', () => {
  for (const kind of ['flake', 'shell'] as const) {
    it(`is an expression the real Nix parser accepts (${kind}), whatever the paths and names hold`, () => {
      const expr = verifyExpr({ kind, dir: '/p/a "b" ${x}', copy: '/p/.nixpy-verify-x-flake.nix', shell: 'my"shell', attrs: [['stdenv', 'cc', 'cc', 'lib'], ['a${b}']] });
      const r = nixParseText(expr);
      expect(r.stderr).toBe('');
      expect(r.ok).toBe(true);
    });
  }
});

describeWithTool('nix-instantiate', 'verifyShell on shell.nix and default.nix (real Nix)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nixpy-verify-'));
    venv = join(dir, '.venv');
    mkdirSync(join(venv, 'lib/python3.12/site-packages'), { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads LD_LIBRARY_PATH under env and NIX_LD_LIBRARY_PATH, realises both, leaves no file behind', async () => {
    const original = '{ }: { }\n';
    writeFileSync(join(dir, 'shell.nix'), original);
    const text = `{ pkgs ? null }: { env.LD_LIBRARY_PATH = ${LIBDIR('liba')}; NIX_LD_LIBRARY_PATH = ${LIBDIR('libb')}; }\n`;
    const notices: string[] = [];
    const r = await verifyShell(request('shell.nix', text, { notice: (l) => notices.push(l) }));
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('verified');
    expect(r.libraryPath).toHaveLength(2);
    expect(r.libraryPath[0]).toMatch(/^\/nix\/store\/[0-9a-z]{32}-liba\/lib$/);
    expect(r.libraryPath[1]).toMatch(/^\/nix\/store\/[0-9a-z]{32}-libb\/lib$/);
    for (const d of r.libraryPath) expect(existsSync(d)).toBe(true);
    expect(notices).toEqual(['Realising 2 store path(s) of the library path (this may download from your binary caches)']);
    expect(readdirSync(dir).sort()).toEqual(['.venv', 'shell.nix']);
    expect(readFileSync(join(dir, 'shell.nix'), 'utf8')).toBe(original);
  });

  it('--shell NAME selects an attribute of default.nix; a relative import resolves beside the original', async () => {
    writeFileSync(join(dir, 'libs.nix'), `${LIBDIR('libc-rel')}\n`);
    const text = `{ default = { LD_LIBRARY_PATH = "/nowhere"; }; gpu = { LD_LIBRARY_PATH = import ./libs.nix; }; }\n`;
    const r = await verifyShell(request('default.nix', text, { shell: 'gpu' }));
    expect(r.status).toBe('verified');
    expect(r.libraryPath).toEqual([expect.stringMatching(/-libc-rel\/lib$/)]);
    rmSync(join(dir, 'libs.nix'));
  });

  it('a shell that does not evaluate: failed, with Nix own message pointing at the user file', async () => {
    const r = await verifyShell(request('shell.nix', '{ }: { LD_LIBRARY_PATH = undefinedThing; }\n'));
    expect(r.status).toBe('failed');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.reason).toMatch(/^the dev shell does not evaluate; nix says:\nerror: undefined variable 'undefinedThing'/);
    expect(r.failures[0]!.reason).toContain(join(dir, 'shell.nix'));
    expect(r.failures[0]!.reason).not.toContain('.nixpy-verify-');
    expect(readdirSync(dir).sort()).toEqual(['.venv', 'shell.nix']);
  });

  it('a library path that does not build: failed, with the path and Nix own message', async () => {
    const broken = `"\${derivation { name = "broken-lib"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo no; exit 3" ]; }}/lib"`;
    const r = await verifyShell(request('shell.nix', `{ }: { LD_LIBRARY_PATH = ${broken}; }\n`));
    expect(r.status).toBe('failed');
    expect(r.libraryPath).toEqual([expect.stringMatching(/-broken-lib\/lib$/)]);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.reason).toMatch(/^realising the library path failed; nix says:\nerror: builder for '\/nix\/store\/[0-9a-z]{32}-broken-lib\.drv' failed/);
  });

  it('a shell with no library path at all: failed, saying so', async () => {
    const r = await verifyShell(request('shell.nix', '{ }: { name = "x"; }\n'));
    expect(r).toEqual({
      status: 'failed',
      libraryPath: [],
      objects: 0,
      failures: [{ file: join(dir, 'shell.nix'), reason: 'the dev shell "default" sets no LD_LIBRARY_PATH or NIX_LD_LIBRARY_PATH' }],
    });
  });

  it('nix not on PATH: unavailable, with one clear reason', async () => {
    const r = await verifyShell(request('shell.nix', '{ }: { }\n', { env: { ...NIX_ENV, PATH: join(dir, 'empty-bin') } }));
    expect(r.status).toBe('unavailable');
    expect(r.failures).toEqual([{ file: join(dir, 'shell.nix'), reason: 'nix-instantiate is not on PATH: --verify needs Nix installed' }]);
    expect(readdirSync(dir).sort()).toEqual(['.venv', 'shell.nix']);
  });
});

describe('verifyShell bounds', () => {
  it('a Nix call that runs out of time: unavailable, naming the step and the limit', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nixpy-verify-'));
    try {
      writeFileSync(join(d, 'flake.nix'), '{ outputs = _: { }; }\n');
      let timeoutSeen = 0;
      const timedOut: RunNix = async (call) => {
        timeoutSeen = call.timeoutMs;
        return { kind: 'timeout', command: call.command, ms: call.timeoutMs };
      };
      const r = await verifyShell(
        { nixFile: join(d, 'flake.nix'), text: '{ outputs = _: { }; }\n', venv: d, shell: 'default', expected: [], judge, env: {}, tty: false, timeouts: { evalMs: 5000 } },
        timedOut,
      );
      expect(timeoutSeen).toBe(5000);
      expect(r).toEqual({
        status: 'unavailable',
        libraryPath: [],
        objects: 0,
        failures: [{ file: join(d, 'flake.nix'), reason: 'evaluating the dev shell did not finish within 5 s (nix stopped)' }],
      });
      expect(readdirSync(d)).toEqual(['flake.nix']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('devenv.nix is not evaluated: unavailable, saying which files are', async () => {
    const r = await verifyShell({ nixFile: '/p/devenv.nix', text: '', venv: '/p/.venv', shell: 'default', expected: [], judge, env: {}, tty: false });
    expect(r.status).toBe('unavailable');
    expect(r.failures[0]!.reason).toBe('--verify evaluates flake.nix, shell.nix or default.nix, not devenv.nix');
  });
});

/**
 * src/verify as plain JavaScript for a child process, transpiled here rather than taken from
 * dist/ (another test may be rebuilding dist/ at the same moment). It lives under the
 * repository's node_modules so that `execa` resolves; `tmp` only names it.
 */
function transpiledVerify(tmp: string): string {
  const src = join(import.meta.dirname, '../../src/verify');
  const out = join(import.meta.dirname, '../../node_modules/.cache', `nixpy-verify-${basename(tmp)}`);
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(src).filter((n) => n.endsWith('.ts'))) {
    const js = ts.transpileModule(readFileSync(join(src, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(out, f.replace(/\.ts$/, '.js')), js);
  }
  return out;
}

describe('verifyShell interrupted', () => {
  it('Ctrl-C while Nix evaluates: the temporary copy is removed and the signal still ends the process', async () => {
    const { spawn } = await import('node:child_process');
    const { chmodSync } = await import('node:fs');
    const d = mkdtempSync(join(tmpdir(), 'nixpy-verify-sig-'));
    try {
      // A nix-instantiate that takes its time, as a cold evaluation does.
      const bin = join(d, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'nix-instantiate'), `#!/bin/sh\necho $$ > ${d}/nix.pid\nexec /bin/sleep 90\n`);
      chmodSync(join(bin, 'nix-instantiate'), 0o755);
      const project = join(d, 'p');
      mkdirSync(project);
      writeFileSync(join(project, 'shell.nix'), '{ }: { }\n');
      const dist = join(transpiledVerify(d), 'index.js');
      const script = `
        const { verifyShell } = await import(${JSON.stringify(dist)});
        await verifyShell({ nixFile: ${JSON.stringify(join(project, 'shell.nix'))}, text: '{ }: { }', venv: ${JSON.stringify(project)},
          shell: 'default', expected: [], judge: null, env: { PATH: ${JSON.stringify(bin)} }, tty: false });`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
      const copies = (): string[] => readdirSync(project).filter((f) => f.startsWith('.nixpy-verify-'));
      for (let i = 0; i < 600 && copies().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(copies(), stderr).toHaveLength(1);
      child.kill('SIGINT');
      expect(await exited).toBe('SIGINT');
      expect(readdirSync(project)).toEqual(['shell.nix']);
    } finally {
      // The fake nix outlives the interrupted child (as a real one would finish its own work).
      try {
        process.kill(Number(readFileSync(join(d, 'nix.pid'), 'utf8')), 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(join(import.meta.dirname, '../../node_modules/.cache', `nixpy-verify-${basename(d)}`), { recursive: true, force: true });
      rmSync(d, { recursive: true, force: true });
    }
  });
});
