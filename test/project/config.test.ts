import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globMatch, ignoreMatcher, loadNixpyConfig, parseNixpyConfig } from '../../src/project/pyproject.js';
import { InputError } from '../../src/errors.js';

const parse = (text: string) => parseNixpyConfig(text, 'pyproject.toml', '/proj');

function errorOf(text: string): string {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('[tool.nixpy] configuration', () => {
  it('reads every key', () => {
    const c = parse(
      '[project]\nname = "x"\n\n[tool.nixpy]\nignore = ["libacme.so.2"]\nextra = ["pkgs.ffmpeg", "libGL"]\nnix-file = "nix/shell.nix"\nenv = "host"\nnixpkgs = "24.11"\nruntime-ignore = ["PyOpenGL"]\n',
    );
    expect(c).toEqual({
      ignore: ['libacme.so.2'],
      extra: ['ffmpeg', 'libGL'],
      nixFile: '/proj/nix/shell.nix',
      env: 'host',
      nixpkgs: '24.11',
      runtimeIgnore: ['PyOpenGL'],
      source: 'pyproject.toml',
    });
  });

  it('runtime-ignore takes a list of distribution names', () => {
    expect(errorOf('[tool.nixpy]\nruntime-ignore = "pyopengl"\n')).toMatch(/runtime-ignore must be a list of strings/);
    expect(parse('[tool.nixpy]\n').runtimeIgnore).toEqual([]);
  });

  it('gives defaults without the section', () => {
    expect(parse('[project]\nname = "x"\n')).toMatchObject({ ignore: [], extra: [], nixFile: null, env: null });
    expect(parse('[tool.ruff]\nline-length = 100\n')).toMatchObject({ ignore: [], extra: [] });
  });

  it('names pyproject.toml as the configuration only when it has a [tool.nixpy] table', () => {
    expect(parse('[project]\nname = "x"\n').source).toBeNull();
    expect(parse('[tool.ruff]\nline-length = 100\n').source).toBeNull();
    expect(parse('[tool.nixpy]\n').source).toBe('pyproject.toml');
  });

  it('rejects unknown keys by name', () => {
    expect(errorOf('[tool.nixpy]\nignored = ["x"]\n')).toBe(
      'pyproject.toml: unknown key [tool.nixpy] ignored (known: ignore, extra, nix-file, env, nixpkgs, runtime-ignore)',
    );
  });

  it('rejects wrong types by key', () => {
    expect(errorOf('[tool.nixpy]\nignore = "libfoo.so.1"\n')).toContain('ignore must be a list of strings');
    expect(errorOf('[tool.nixpy]\nextra = [1]\n')).toContain('extra must be a list of strings');
    expect(errorOf('[tool.nixpy]\nextra = ["not an attr"]\n')).toContain('extra: "not an attr" is not an attribute path');
    expect(errorOf('[tool.nixpy]\nnix-file = 3\n')).toContain('nix-file must be a non-empty string');
    expect(errorOf('[tool.nixpy]\nenv = "ubuntu"\n')).toContain('env must be "nixos" or "host"');
    expect(errorOf('[tool]\nnixpy = 1\n')).toContain('[tool.nixpy] must be a table');
    expect(errorOf('[tool.nixpy]\nnixpkgs = 24.11\n')).toContain('nixpkgs must be a string');
    expect(errorOf('[tool.nixpy]\nnixpkgs = "nixos-24.11"\n')).toBe(
      'pyproject.toml: [tool.nixpy] nixpkgs: "nixos-24.11" is not a nixpkgs release (accepted: 24.05, 24.11, 25.05, 25.11, 26.05, 26.11 or unstable)',
    );
  });

  it('reports invalid TOML with line and column, in one line', () => {
    const msg = errorOf('[tool.nixpy]\nignore = [\n');
    expect(msg).toMatch(/^pyproject\.toml:\d+:\d+: /);
    expect(msg).not.toContain('\n');
  });

  it('treats a missing pyproject.toml as no configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nixpy-config-'));
    expect((await loadNixpyConfig(dir)).source).toBeNull();
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.nixpy]\nenv = "nixos"\n');
    expect(await loadNixpyConfig(dir)).toMatchObject({ env: 'nixos', source: join(dir, 'pyproject.toml') });
  });
});

describe('[tool.nixpy] ignore patterns', () => {
  // The sonames of a real opencv-python-headless 4.6 wheel's libs (49 of them) and neighbours.
  const sonames = ['libopencv_core.so.406', 'libopencv_imgproc.so.406', 'libopencv_dnn.so.406', 'libopencv_core.so.405', 'libstdc++.so.6', 'libacme.so.2', 'libcuda.so.1'];

  it('matches exact sonames literally (dots and pluses are not special) and globs with * and ?', () => {
    const m = ignoreMatcher(['libopencv_*.so.406', 'libstdc++.so.6', 'libcud?.so.1']);
    expect(sonames.filter((s) => m.matches(s))).toEqual(['libopencv_core.so.406', 'libopencv_imgproc.so.406', 'libopencv_dnn.so.406', 'libstdc++.so.6', 'libcuda.so.1']);
    expect(ignoreMatcher(['libacme.so.2']).matches('libacmeXso.2')).toBe(false);
    expect(ignoreMatcher(['libstdc++.so.6']).matches('libstdcc.so.6')).toBe(false);
  });

  it('reports the entries that match nothing, in their order', () => {
    const m = ignoreMatcher(['libopencv_*.so.406', 'libfoo.so.1', 'libopencv_*.so.999', 'libacme.so.2']);
    expect(m.unused(sonames)).toEqual(['libfoo.so.1', 'libopencv_*.so.999']);
    expect(m.unused([])).toEqual(['libopencv_*.so.406', 'libfoo.so.1', 'libopencv_*.so.999', 'libacme.so.2']);
  });

  it('globMatch agrees with a regular expression on every small case, and stays linear on a hostile one', () => {
    const alphabet = ['a', 'b', '*', '?'];
    const words = (n: number, from: string[]): string[] => (n === 0 ? [''] : words(n - 1, from).flatMap((w) => from.map((c) => w + c)));
    const toRe = (p: string): RegExp => new RegExp(`^${p.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    for (let pn = 0; pn <= 4; pn++) {
      for (const p of words(pn, alphabet)) {
        for (let tn = 0; tn <= 4; tn++) for (const t of words(tn, ['a', 'b'])) expect(globMatch(p, t), `${p} ~ ${t}`).toBe(toRe(p).test(t));
      }
    }
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
  });

  it('rejects an entry with a "/" (a path is not a soname)', () => {
    expect(errorOf('[tool.nixpy]\nignore = ["/usr/lib/libfoo.so.1"]\n')).toBe(
      'pyproject.toml: [tool.nixpy] ignore: "/usr/lib/libfoo.so.1" is not a soname or a soname pattern (no "/")',
    );
  });
});
