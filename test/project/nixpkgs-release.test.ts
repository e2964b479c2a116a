import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  channelOfUrl,
  chooseRelease,
  detectNixpkgsRelease,
  releaseFromLock,
  releaseFromNixosVersion,
  releaseFromNixSource,
} from '../../src/project/nixpkgs-release.js';

/** A flake.lock as `nix flake lock` writes it (version 7), with the nixpkgs node given. */
function flakeLock(nixpkgs: object, rootInputs: Record<string, string | string[]> = { nixpkgs: 'nixpkgs' }, extra: object = {}): string {
  return JSON.stringify({ nodes: { nixpkgs, root: { inputs: rootInputs }, ...extra }, root: 'root', version: 7 }, null, 2);
}

const githubNode = (ref: string | undefined, lastModified: number) => ({
  locked: { lastModified, narHash: 'sha256-AAAA', owner: 'NixOS', repo: 'nixpkgs', rev: 'a'.repeat(40), type: 'github' },
  original: { owner: 'NixOS', repo: 'nixpkgs', type: 'github', ...(ref === undefined ? {} : { ref }) },
});

const date = (iso: string) => Date.parse(`${iso}T12:00:00Z`) / 1000;

describe('flake.lock', () => {
  it('reads the release from original.ref', () => {
    expect(releaseFromLock(flakeLock(githubNode('nixos-24.11', date('2025-03-01'))), 'flake.lock')?.release).toBe('24.11');
    expect(releaseFromLock(flakeLock(githubNode('release-25.05', date('2025-07-01'))), 'flake.lock')?.release).toBe('25.05');
    expect(releaseFromLock(flakeLock(githubNode('nixos-26.05-small', date('2026-07-01'))), 'flake.lock')?.release).toBe('26.05');
  });

  it('maps a master/unstable pin or a bare rev to the release branched before its lastModified', () => {
    // After 24.11 branched (2024-11-14), before 25.05 (2025-05-16).
    const u = releaseFromLock(flakeLock(githubNode('nixpkgs-unstable', date('2025-01-10'))), 'flake.lock')!;
    expect(u.release).toBe('24.11');
    expect(u.reason).toContain('2025-01-10');
    expect(releaseFromLock(flakeLock(githubNode(undefined, date('2025-06-01'))), 'flake.lock')?.release).toBe('25.05');
    expect(releaseFromLock(flakeLock(githubNode('b'.repeat(40), date('2024-06-01'))), 'flake.lock')?.release).toBe('24.05');
    expect(releaseFromLock(flakeLock(githubNode('nixos-unstable', date('2026-12-01'))), 'flake.lock')?.release).toBe('26.11');
  });

  it('follows `follows` from the root', () => {
    const text = flakeLock(
      githubNode('nixos-24.11', date('2025-02-01')),
      { nixpkgs: ['devshell', 'nixpkgs'], devshell: 'devshell' },
      { devshell: { inputs: { nixpkgs: 'nixpkgs' }, locked: { lastModified: 1, type: 'github', owner: 'numtide', repo: 'devshell' }, original: { owner: 'numtide', repo: 'devshell', type: 'github' } } },
    );
    expect(releaseFromLock(text, 'flake.lock')?.release).toBe('24.11');
  });

  it('finds a nixpkgs input under another name, and tarball URLs', () => {
    const node = {
      locked: { lastModified: date('2025-01-01'), type: 'tarball', url: 'https://releases.nixos.org/nixos/24.05/nixos-24.05.7376.abc/nixexprs.tar.xz' },
      original: { type: 'tarball', url: 'https://channels.nixos.org/nixos-24.05/nixexprs.tar.xz' },
    };
    const text = JSON.stringify({ nodes: { pkgs2405: node, root: { inputs: { pkgs: 'pkgs2405' } } }, root: 'root', version: 7 });
    expect(releaseFromLock(text, 'flake.lock')?.release).toBe('24.05');
  });

  it('maps releases outside the index onto the nearest covered one and says so', () => {
    const f = releaseFromLock(flakeLock(githubNode('nixos-23.11', date('2024-03-01'))), 'flake.lock')!;
    expect(f.release).toBe('24.05');
    expect(f.reason).toContain('older than the index covers');
  });

  it('rejects a lock that is not JSON with a one-line InputError', () => {
    expect(() => releaseFromLock('{', '/p/flake.lock')).toThrow(InputError);
    expect(() => releaseFromLock('{', '/p/flake.lock')).toThrow('/p/flake.lock: not valid JSON');
  });
});

describe('shell.nix / default.nix pins, through the Nix parser', () => {
  it('reads fetchTarball URLs naming a channel', () => {
    const src = `{ pkgs ? import (fetchTarball "https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz") {} }:\npkgs.mkShell {}\n`;
    expect(releaseFromNixSource(src, 'shell.nix')?.release).toBe('24.11');
    const src2 = `let pkgs = import (builtins.fetchTarball { url = "https://nixos.org/channels/nixos-25.05/nixexprs.tar.xz"; }) {}; in pkgs.mkShell {}`;
    expect(releaseFromNixSource(src2, 'shell.nix')?.release).toBe('25.05');
  });

  it('reads fetchFromGitHub revs, using a date in a comment for a bare rev', () => {
    const src = `let\n  pkgs = import (pkgs0.fetchFromGitHub {\n    owner = "NixOS";\n    repo = "nixpkgs";\n    # nixos-unstable as of 2025-06-20\n    rev = "${'c'.repeat(40)}";\n    hash = "";\n  }) {};\nin pkgs.mkShell {}\n`;
    const f = releaseFromNixSource(src, 'default.nix')!;
    expect(f.release).toBe('25.05');
    expect(f.reason).toContain('2025-06-20');
  });

  it('ignores <nixpkgs>, non-nixpkgs fetches and text that only looks like a pin', () => {
    expect(releaseFromNixSource('{ pkgs ? import <nixpkgs> {} }: pkgs.mkShell {}', 'shell.nix')).toBeNull();
    expect(releaseFromNixSource('let x = fetchTarball "https://example.org/foo-24.11.tar.gz"; in x', 'shell.nix')).toBeNull();
    // In a string, not a call: a regex would be fooled, the parser is not.
    expect(releaseFromNixSource('{ note = "fetchTarball https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz"; }', 'default.nix')).toBeNull();
  });

  it('reads an unlocked flake\'s inputs.nixpkgs.url, however the path is split', () => {
    expect(releaseFromNixSource('{ inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11"; outputs = _: {}; }', 'flake.nix')?.release).toBe('24.11');
    expect(releaseFromNixSource('{ inputs = { nixpkgs = { url = "github:NixOS/nixpkgs/nixos-25.05"; }; }; outputs = _: {}; }', 'flake.nix')?.release).toBe('25.05');
    expect(releaseFromNixSource('{ inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable"; outputs = _: {}; }', 'flake.nix')?.release).toBe('unstable');
    expect(releaseFromNixSource('{ inputs.other.url = "github:NixOS/nixpkgs/nixos-24.11"; outputs = _: {}; }', 'flake.nix')).toBeNull();
  });

  it('knows the URL forms', () => {
    expect(channelOfUrl('https://github.com/NixOS/nixpkgs/archive/release-24.05.tar.gz')).toBe('release-24.05');
    expect(channelOfUrl('https://channels.nixos.org/nixos-unstable/nixexprs.tar.xz')).toBe('nixos-unstable');
    expect(channelOfUrl('github:NixOS/nixpkgs/nixos-25.11')).toBe('nixos-25.11');
  });
});

describe('the running NixOS', () => {
  it('reads /run/current-system/nixos-version', () => {
    expect(releaseFromNixosVersion('24.11.20241130.62c435d (Vicuna)\n')?.release).toBe('24.11');
    expect(releaseFromNixosVersion('25.11.20251201.abcdef0 (Xantusia)')?.release).toBe('25.11');
    // Master before 26.05's branch-off has 25.11's names.
    expect(releaseFromNixosVersion('26.05pre912345.abcdef0 (Yarara)')?.release).toBe('25.11');
  });
});

describe('choosing', () => {
  const lock = { file: 'flake.lock', text: flakeLock(githubNode('nixos-24.11', date('2025-01-01'))) };

  it('takes the flag, then the config, then the lock, then NixOS, then unstable', () => {
    expect(chooseRelease({ flag: '25.05', config: { value: '24.05', file: 'p' }, flakeLock: lock })).toMatchObject({ release: '25.05', source: 'flag' });
    expect(chooseRelease({ config: { value: '24.05', file: 'p' }, flakeLock: lock })).toMatchObject({ release: '24.05', source: 'config' });
    expect(chooseRelease({ flakeLock: lock, nixosVersion: '25.05.1 (Warbler)' })).toMatchObject({ release: '24.11', source: 'flake.lock' });
    expect(chooseRelease({ devenvLock: { ...lock, file: 'devenv.lock' } })).toMatchObject({ release: '24.11', source: 'devenv.lock' });
    expect(chooseRelease({ nixosVersion: '25.05.1 (Warbler)' })).toMatchObject({ release: '25.05', source: 'nixos' });
    const d = chooseRelease({});
    expect(d).toMatchObject({ release: 'unstable', source: 'default' });
    expect(d.reason).toContain('assuming nixpkgs unstable');
  });

  it('rejects a bad --nixpkgs with the accepted values', () => {
    for (const bad of ['24.10', 'nixos-24.11', '', 'latest', '2411']) {
      expect(() => chooseRelease({ flag: bad })).toThrow(InputError);
    }
    expect(() => chooseRelease({ flag: '24.10' })).toThrow('--nixpkgs: "24.10" is not a nixpkgs release (accepted: 24.05, 24.11, 25.05, 25.11, 26.05, 26.11 or unstable)');
  });

  it('reads the files beside the Nix file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nixpy-rel-'));
    writeFileSync(join(dir, 'flake.nix'), '{ outputs = _: {}; }');
    writeFileSync(join(dir, 'flake.lock'), lock.text);
    const r = await detectNixpkgsRelease({ projectDir: dir, nixFile: join(dir, 'flake.nix'), nixosVersionFile: join(dir, 'none') });
    expect(r).toMatchObject({ release: '24.11', source: 'flake.lock' });
    const empty = mkdtempSync(join(tmpdir(), 'nixpy-rel-'));
    writeFileSync(join(empty, 'nixos-version'), '25.05.802491.7c43f080 (Warbler)');
    expect(await detectNixpkgsRelease({ projectDir: empty, nixosVersionFile: join(empty, 'nixos-version') })).toMatchObject({ release: '25.05', source: 'nixos' });
  });
});
