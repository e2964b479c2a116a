import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nixSystemFor, pythonAttrFor, renderFlake } from '../../src/nix/template.js';
import { nixParseText } from '../helpers/nix.js';
import { dirsOfVar, evalShells, libraryDirsOf } from '../helpers/nix-eval.js';
import { describeWithTool } from '../helpers/tools.js';

function writeFlake(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nixpy-init-tpl-'));
  const file = join(dir, 'flake.nix');
  writeFileSync(file, text);
  return file;
}

describe('template helpers', () => {
  it('picks the python attribute from pyvenv.cfg', () => {
    expect(pythonAttrFor('home = /usr/bin\nversion_info = 3.12.8\n')).toBe('python312');
    expect(pythonAttrFor('version = 3.11.4\n')).toBe('python311');
    expect(pythonAttrFor('version_info = 2.7.18\n')).toBe('python3');
    expect(pythonAttrFor(null)).toBe('python3');
  });

  it('maps Node architectures to Nix systems', () => {
    expect(nixSystemFor('x64')).toBe('x86_64-linux');
    expect(nixSystemFor('arm64')).toBe('aarch64-linux');
  });

  it('lists every attribute once per line and notes unknown sonames', () => {
    const text = renderFlake({ attrs: ['stdenv.cc.cc.lib', 'pkgs.zlib'], driverPath: false, system: 'x86_64-linux', python: 'python3', unknown: ['libacme.so.2'] });
    expect(text).toContain('      libs = [\n        pkgs.stdenv.cc.cc.lib\n        pkgs.zlib\n      ];\n');
    expect(text).toContain('LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;');
    expect(text).toContain('no nixpkgs attribute for: libacme.so.2');
    expect(renderFlake({ attrs: [], driverPath: false, system: 'x86_64-linux', python: 'python3' })).toContain('libs = [ ];');
  });

  it('wraps the unknown-soname comment to 80 columns, keeping every soname once', () => {
    const unknown = Array.from({ length: 150 }, (_, i) => `libopencv_module${i}.so.406`);
    const text = renderFlake({ attrs: ['zlib'], driverPath: false, system: 'x86_64-linux', python: 'python3', unknown });
    const lines = text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    const comment = lines.filter((l) => /^ *# /.test(l) && l.includes('.so.'));
    expect(comment.length).toBeGreaterThan(10);
    const listed = comment.join(' ').replace(/.*attribute for:/, '').split(/[\s,#]+/).filter(Boolean);
    expect(listed).toEqual(unknown);
  });
});

describeWithTool('nix-instantiate', 'generated flakes against the real parser and the stub nixpkgs', () => {
  const cases = [
    { attrs: [], driverPath: false },
    { attrs: ['zlib'], driverPath: false },
    { attrs: ['stdenv.cc.cc.lib', 'zlib', 'libGL', 'xorg.libX11'], driverPath: true },
  ];
  for (const c of cases) {
    it(`parses and puts ${c.attrs.join(', ') || 'nothing'}${c.driverPath ? ' + driver' : ''} on LD_LIBRARY_PATH`, () => {
      const text = renderFlake({ ...c, system: 'x86_64-linux', python: 'python312', unknown: ['libacme.so.2'] });
      const parsed = nixParseText(text);
      expect(parsed.ok, parsed.stderr).toBe(true);
      const shells = evalShells(writeFlake(text));
      const shell = shells.default!;
      const expected = [...libraryDirsOf(c.attrs), ...(c.driverPath ? ['/run/opengl-driver/lib'] : [])];
      expect(dirsOfVar(shell, 'LD_LIBRARY_PATH')).toEqual(expected);
      expect(shell.inputs.some((n) => n.startsWith('python3-3.12'))).toBe(true);
      expect(shell.inputs).toContain('uv-1.0');
      expect(shell.hook).toMatch(/export UV_PYTHON=\/nix\/store\/[a-z0-9]+-python3-3\.12\.8\/bin\/python/);
      expect(shell.hook).toContain('source .venv/bin/activate');
    });
  }
});
