import { describe, expect, it } from 'vitest';
import { describeEnvironment, detectEnvironment, osReleaseIsNixos, splitLdLibraryPath } from '../../src/project/environment.js';

const NIXOS_RELEASE = 'ANSI_COLOR="1;34"\nBUG_REPORT_URL="https://github.com/NixOS/nixpkgs/issues"\nID=nixos\nNAME=NixOS\nVERSION_ID="24.11"\n';
const DEBIAN_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n';

describe('environment detection', () => {
  it('recognises NixOS from os-release or /etc/NIXOS', () => {
    expect(osReleaseIsNixos(NIXOS_RELEASE)).toBe(true);
    expect(osReleaseIsNixos('ID="nixos"\n')).toBe(true);
    expect(osReleaseIsNixos(DEBIAN_RELEASE)).toBe(false);
    expect(osReleaseIsNixos('ID_LIKE=nixos\nID=other\n')).toBe(false);
    expect(detectEnvironment({ nixosMarker: true, osRelease: null, env: {} }, 'nixos', undefined).nixos).toBe(true);
  });

  it('recognises a nix dev shell and counts store entries on the library path', () => {
    const e = detectEnvironment(
      { nixosMarker: false, osRelease: NIXOS_RELEASE, env: { IN_NIX_SHELL: 'impure', DIRENV_DIR: '-/home/a/p' } },
      'nixos',
      '/nix/store/aaa-zlib-1.3/lib::/nix/store/bbb-gcc-13-lib/lib:/opt/lib',
    );
    expect(e).toEqual({
      nixos: true,
      nixShell: 'impure',
      direnv: true,
      ldLibraryPath: ['/nix/store/aaa-zlib-1.3/lib', '/nix/store/bbb-gcc-13-lib/lib', '/opt/lib'],
      storeEntries: 2,
      model: 'nixos',
    });
    expect(describeEnvironment(e)).toMatch(/^On NixOS, inside a Nix dev shell \(direnv\)\. Model: NixOS's loader .*, LD_LIBRARY_PATH with 3 entries \(2 in \/nix\/store\)\.$/);
  });

  it('says when it models NixOS from another system', () => {
    const e = detectEnvironment({ nixosMarker: false, osRelease: DEBIAN_RELEASE, env: {} }, 'nixos', '');
    expect(e.nixos).toBe(false);
    expect(e.nixShell).toBeNull();
    expect(describeEnvironment(e)).toContain('Not on NixOS and not in a Nix dev shell.');
    expect(describeEnvironment(e)).toContain('no LD_LIBRARY_PATH');
    expect(describeEnvironment({ ...e, model: 'host' })).toContain("this machine's loader");
  });

  it('splits the library path as ld.so does', () => {
    expect(splitLdLibraryPath('a:b;c::')).toEqual(['a', 'b', 'c']);
    expect(splitLdLibraryPath(undefined)).toEqual([]);
  });
});
