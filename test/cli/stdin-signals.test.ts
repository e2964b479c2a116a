import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, REPO, run } from '../e2e/harness.js';
import { describeWithTool } from '../helpers/tools.js';
import { fitLine, progressAllowed } from '../../src/cli/progress.js';

/**
 * doctor as a user runs it, in a real process: stdin a real pipe that stays open (as with
 * `sleep 12 | nixpy doctor`), real signals, a real pseudo-terminal (util-linux `script`) with
 * odd widths. Nothing here waits on a clock: each step waits for what the process prints.
 */
const BIN = join(REPO, 'bin/nixpy.js');
const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: '/nonexistent/nixpy-test' };

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', needle: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child[stream]!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(needle)) resolve(seen);
    });
    child.on('exit', () => reject(new Error(`exited before printing ${JSON.stringify(needle)}: ${seen}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
}

describe('doctor and stdin', () => {
  const children: ChildProcess[] = [];
  beforeAll(() => expect(existsSync(join(REPO, 'dist/bundle/main.js')), 'run `npm run build` first').toBe(true));
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const doctor = (args: string[]): ChildProcess => {
    const c = spawn(process.execPath, [BIN, 'doctor', '--project', DEMO, ...args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(c);
    return c;
  };

  it('says what it waits for when nothing comes, and reads the error once it does', async () => {
    const c = doctor(['--json']);
    const done = exited(c);
    const err = await waitFor(c, 'stderr', 'waiting for the error text on stdin');
    expect(err).toContain('--no-stdin skips it');
    c.stdin!.end('ImportError: libX11.so.6: cannot open shared object file: No such file or directory\n');
    const r = await done;
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).focus.map((f: { soname: string }) => f.soname)).toEqual(['libX11.so.6']);
  });

  it('--no-stdin does not read a pipe that never ends', async () => {
    const c = doctor(['--no-stdin', '--json']);
    const r = await exited(c);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).scan.objects).toBe(6);
    c.stdin!.destroy();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} ends it while it waits on stdin`, async () => {
      const c = doctor([]);
      const done = exited(c);
      await waitFor(c, 'stderr', 'waiting for the error text on stdin');
      c.kill(signal);
      expect((await done).signal).toBe(signal);
    });
  }
});

describe('doctor -- CMD', () => {
  it('echoes the command with its quoting and shows the end of what it printed', async () => {
    const script = `echo "building the extension"; echo "ImportError: libGL.so.1: cannot open shared object file: No such file or directory" >&2; exit 3`;
    const r = await run(['doctor', '--project', DEMO, '--', 'sh', '-c', script]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`nixpy doctor: running sh -c '${script}'\n`);
    expect(r.out).toContain(`$ sh -c '${script}'    (exited with 3; its last line:)\n  ImportError: libGL.so.1: cannot open shared object file: No such file or directory\n`);
    // Quotes inside an argument survive the echo as the shell would need them.
    const q = await run(['doctor', '--project', DEMO, '--', 'sh', '-c', "echo 'it'\"'\"'s'; exit 0"]);
    expect(q.out).toContain(`$ sh -c 'echo '\\''it'\\''"'\\''"'\\''s'\\''; exit 0'    (exited with 0; its last line:)\n  it's\n`);
  });
});

describe('the progress line decides on the terminal it has', () => {
  it('draws only on a terminal at least 20 columns wide, not dumb, not in CI', () => {
    expect(progressAllowed({ isTTY: true, columns: 80 }, {})).toBe(true);
    expect(progressAllowed({ isTTY: true, columns: 0 }, {})).toBe(false);
    expect(progressAllowed({ isTTY: true, columns: 19 }, {})).toBe(false);
    expect(progressAllowed({ isTTY: true }, {})).toBe(false);
    expect(progressAllowed({ isTTY: false, columns: 80 }, {})).toBe(false);
    expect(progressAllowed({ isTTY: true, columns: 80 }, { TERM: 'dumb' })).toBe(false);
    expect(progressAllowed({ isTTY: true, columns: 80 }, { CI: 'true' })).toBe(false);
    expect(fitLine('Scanning the venv: 12/161 objects', 20)).toBe('Scanning the ven...');
    expect(fitLine('a\nb', 20)).toBe('a b');
  });
});

describeWithTool('script', 'doctor on a real pseudo-terminal', () => {
  // util-linux script: the command's stdin, stdout and stderr are a pty whose size stty sets.
  const onPty = (cols: number): { status: number | null; out: string } => {
    const cmd = `stty cols ${cols} rows 24; exec ${process.execPath} ${BIN} doctor --project ${DEMO}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: { ...ENV, TERM: 'xterm' }, encoding: 'utf8', input: '' });
    return { status: r.status, out: r.stdout };
  };

  it('at 0 columns finishes with its report and draws no progress line', () => {
    const r = onPty(0);
    expect(r.status).toBe(1);
    expect(r.out).toContain('nixpy doctor');
    expect(r.out).not.toContain('Scanning the venv');
  });

  it('at 100 columns draws the progress line and clears it before the report', () => {
    const r = onPty(100);
    expect(r.status).toBe(1);
    const at = r.out.indexOf('Scanning the venv');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(r.out.indexOf('\r\u001b[K', at)).toBeGreaterThan(at);
    const last = r.out.lastIndexOf('Scanning the venv');
    expect(r.out.indexOf('\r\u001b[K', last)).toBeLessThan(r.out.indexOf('nixpy doctor'));
    expect(r.out.indexOf('nixpy doctor')).toBeGreaterThan(last);
  });
});
