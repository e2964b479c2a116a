import type { Io } from '../../src/cli/io.js';

export interface FakeIo extends Io {
  out: string[];
  err: string[];
}

export function fakeIo(env: NodeJS.ProcessEnv, stdin: string | null = null): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => stdin,
    // index build reads all of stdin; the bounded reader is doctor's.
    readPasted: async () => null,
    isTTY: false,
    env,
    cwd: process.cwd(),
  };
}
