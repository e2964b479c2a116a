import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

vi.mock('../../src/cli/commands/all.js', async () => {
  const { resolveCommand } = await import('../../src/cli/commands/resolve.js');
  return { commands: [resolveCommand] };
});
const { main } = await import('../../src/cli/main.js');
import { fakeIo } from './cli-helpers.js';

/** A project directory with a flake pinned to `ref` as `nix flake lock` records it. */
function flakeProject(ref: string, lastModified = 1735689600): string {
  const dir = mkdtempSync(join(tmpdir(), 'nixpy-rel-cli-'));
  writeFileSync(join(dir, 'flake.nix'), `{ inputs.nixpkgs.url = "github:NixOS/nixpkgs/${ref}"; outputs = _: {}; }\n`);
  writeFileSync(
    join(dir, 'flake.lock'),
    JSON.stringify({
      nodes: {
        nixpkgs: {
          locked: { lastModified, narHash: 'sha256-x', owner: 'NixOS', repo: 'nixpkgs', rev: 'f'.repeat(40), type: 'github' },
          original: { owner: 'NixOS', ref, repo: 'nixpkgs', type: 'github' },
        },
        root: { inputs: { nixpkgs: 'nixpkgs' } },
      },
      root: 'root',
      version: 7,
    }),
  );
  return dir;
}

type Doc = { results: { candidates: { attr: string; why: string }[]; note?: string }[]; nixpkgs: { release: string; source: string; reason: string } };

async function resolveIn(dir: string, args: string[]): Promise<{ code: number; doc: Doc; err: string }> {
  const io = { ...fakeIo({ HOME: dir, XDG_CACHE_HOME: dir, PATH: process.env.PATH }), cwd: dir };
  const code = await main(['resolve', ...args, '--json'], io);
  return { code, doc: (io.out.length > 0 ? JSON.parse(io.out.join('')) : null) as Doc, err: io.err.join('') };
}

describe('nixpy resolve spells picks for the user\'s nixpkgs', () => {
  it('reads the release from flake.lock and reports it in JSON', async () => {
    const { code, doc } = await resolveIn(flakeProject('nixos-24.11'), ['libX11.so.6', 'libxcb-icccm.so.4']);
    expect(code).toBe(0);
    expect(doc.nixpkgs).toMatchObject({ release: '24.11', source: 'flake.lock' });
    expect(doc.nixpkgs.reason).toContain('nixos-24.11');
    expect(doc.results.map((r) => r.candidates[0]!.attr)).toEqual(['xorg.libX11', 'xorg.xcbutilwm']);
  });

  it('lets --nixpkgs override the lock', async () => {
    const { doc } = await resolveIn(flakeProject('nixos-24.11'), ['libX11.so.6', '--nixpkgs', 'unstable']);
    expect(doc.nixpkgs).toMatchObject({ release: 'unstable', source: 'flag' });
    expect(doc.results[0]!.candidates[0]!.attr).toBe('libx11');
  });

  it('says when nothing provides a soname on the release, with the way out, and exits 1', async () => {
    const { code, doc } = await resolveIn(flakeProject('nixos-26.05'), ['libcudart.so.11.0']);
    expect(code).toBe(1);
    expect(doc.results[0]!.candidates).toEqual([]);
    expect(doc.results[0]!.note).toMatch(/nothing in nixpkgs 26\.05 provides it .*cudaPackages_12/);
  });

  it('rejects a bad --nixpkgs with exit 2, one line naming the accepted values', async () => {
    const { code, err } = await resolveIn(flakeProject('nixos-24.11'), ['libz.so.1', '--nixpkgs', 'nixos-24.11']);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('accepted: 24.05, 24.11, 25.05, 25.11, 26.05, 26.11 or unstable');
  });
});
