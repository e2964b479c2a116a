import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/all.js';
import { COMMAND_MODULES, commandNameIn } from '../../src/cli/commands/registry.js';
import type { Io } from '../../src/cli/io.js';
import { recordingIo, type RecordingIo } from '../helpers/io.js';
import { main, VERSION } from '../../src/cli/main.js';

/*
 * main loads only the module of the command named in argv (registry.ts) and falls back to every
 * command (all.ts) when that guess does not hold. Whatever it loads, the outcome must be what
 * yargs gives with every command registered.
 */

const FIX = join(import.meta.dirname, '../../fixtures/loader');

function fakeIo(): RecordingIo {
  return recordingIo({ env: { LD_LIBRARY_PATH: '' }, cwd: FIX });
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('the command registry', () => {
  it('names every command of all.ts, in the same order, and loads that very command', async () => {
    expect(COMMAND_MODULES.map(([name]) => name)).toEqual(commands.map((c) => c.command.split(' ')[0]));
    for (const [i, [, load]] of COMMAND_MODULES.entries()) expect(await load()).toBe(commands[i]);
  });

  it('finds the command word before any `--`', () => {
    expect(commandNameIn(['scan', 'venv'])).toBe('scan');
    expect(commandNameIn(['--json', '--env', 'host', 'tree', 'a.so'])).toBe('tree');
    expect(commandNameIn(['--', 'scan'])).toBeNull();
    expect(commandNameIn(['scanner'])).toBeNull();
    expect(commandNameIn([])).toBeNull();
  });
});

describe('main with lazily loaded commands', () => {
  it('--help lists every command with its description', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of commands) {
      expect(r.out).toContain(`nixpy ${c.command}`);
      expect(r.out).toContain(c.describe.split(' ').slice(0, 3).join(' '));
    }
    expect(r.out).not.toContain('\u0000');
  });

  it('a command\'s --help shows that command', async () => {
    const r = await run(['scan', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^nixpy scan \[venv\]/);
    expect(r.out).toContain('venv directory');
    expect(r.out).not.toContain('nixpy tree');
  });

  it('an option value that names a command does not fool it', async () => {
    // `scan` is the value of --index here; the command is tree.
    const file = join(FIX, 'runpath_is_not_inherited/libroot.so');
    const r = await run(['--index', 'scan', 'tree', file, '--json', '--env', 'host']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1); // libb.so is not found: that fixture's point
    const doc = JSON.parse(r.out) as { path: string; libraries: { soname: string }[] };
    expect(doc.path).toBe(file);
    expect(doc.libraries.map((l) => l.soname)).toContain('liba.so');
  });

  it('--version, no command and an unknown command answer as before', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err).toBe('nixpy: name a command: scan, tree, resolve, index, fix, doctor, check, init\n');
    const bogus = await run(['bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.err).toBe('nixpy: Unknown argument: bogus\n');
  });
});
