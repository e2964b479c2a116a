import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLoaderEnv, createObjectCache, loadClosure, RootObjectError, type Closure, type LoaderEnv } from '../../src/loader/index.js';

/*
 * loadClosure shares a computed closure between roots that agree on everything the walk reads
 * (closure.ts, "Closures shared between roots"). Whatever the sharing does, a closure computed
 * with one ObjectCache for many roots must equal the one computed with a fresh cache per root.
 * The roots below are made to collide: the same file under several paths (hard links, symlinks,
 * copies), next to the very files their closures load, in the order a scan would meet them.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const FIX = join(HERE, '../../fixtures/loader');
const SYSTEM = '/usr/lib/x86_64-linux-gnu';
const BACK = join(FIX, 'dependency_needs_the_root_back/llp');

function sharedObjects(dir: string): string[] {
  const out: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'src') out.push(...sharedObjects(p));
    else if (/\.so(\.|$)/.test(e.name) && (e.isFile() || e.isSymbolicLink())) out.push(p);
  }
  return out;
}

/** A hard link where the file system allows one, else a copy (another inode). */
function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

type Outcome = Closure | { refused: string };

function closureOf(path: string, env: LoaderEnv, objects: ReturnType<typeof createObjectCache>): Outcome {
  try {
    return loadClosure(path, env, objects);
  } catch (err) {
    if (err instanceof RootObjectError) return { refused: err.message };
    throw err;
  }
}

describe('closures shared between roots equal closures computed alone', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nixpy-shared-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  // Loader fixtures (RPATH chains, $ORIGIN through symlinks, a file under two names, NODEFLIB,
  // linker scripts...) and a slice of this machine's libraries, each also placed three more
  // times: hard link, symlink and copy, in directories of their own.
  const system = sharedObjects(SYSTEM).filter((p) => !p.includes('/', SYSTEM.length + 1)).slice(0, 60);
  const originals = [...sharedObjects(FIX), ...system];
  const roots: string[] = [];
  originals.forEach((file, i) => {
    const dirs = ['hard', 'sym', 'copy'].map((k) => join(tmp, `${k}${i % 7}`));
    for (const d of dirs) mkdirSync(d, { recursive: true });
    const name = `${i}-${basename(file)}`;
    const [hard, sym, copy] = dirs.map((d) => join(d, name)) as [string, string, string];
    linkOrCopy(file, hard);
    symlinkSync(file, sym);
    copyFileSync(file, copy);
    roots.push(hard, file, sym, copy);
  });

  const envs: [string, () => LoaderEnv][] = [
    ['host', () => createLoaderEnv('host', { cwd: FIX })],
    ['nixos', () => createLoaderEnv('nixos', { cwd: FIX })],
    ['host, LD_LIBRARY_PATH with $ORIGIN', () => createLoaderEnv('host', { cwd: FIX, ldLibraryPath: '$ORIGIN/../lib:$ORIGIN' })],
    // Dependencies that need their root back, by soname and by file identity.
    ['host, LD_LIBRARY_PATH to the libraries needing the root back', () => createLoaderEnv('host', { cwd: FIX, ldLibraryPath: BACK })],
  ];

  it.each(envs)('env %s', (_name, makeEnv) => {
    const env = makeEnv();
    const shared = createObjectCache();
    let compared = 0;
    for (const root of [...roots, ...roots.slice().reverse()]) {
      const alone = closureOf(root, env, createObjectCache());
      expect(closureOf(root, env, shared), root).toEqual(alone);
      compared++;
    }
    expect(compared).toBe(roots.length * 2);
  });

  it('a closure handed out is a copy: changing it does not change the next root\'s', () => {
    const env = createLoaderEnv('host');
    const objects = createObjectCache();
    const lib = system.find((p) => basename(p).startsWith('libz.so')) ?? system[0]!;
    const first = loadClosure(lib, env, objects);
    const expected = structuredClone(first);
    first.libraries.length = 0;
    expect(loadClosure(lib, env, objects)).toEqual(expected);
  });
});
