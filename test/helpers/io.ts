import type { Io } from '../../src/cli/io.js';
import { PastedCollector } from '../../src/cli/pasted-input.js';

export interface RecordingIo extends Io {
  out: string;
  err: string;
}

/**
 * An Io for running the CLI in-process: a non-TTY that records stdout and stderr, with no
 * stdin unless given. Tests pass the environment and cwd they mean (nothing of the machine
 * running the tests leaks in by default).
 */
export function recordingIo(over: Partial<Io> = {}): RecordingIo {
  const io: RecordingIo = {
    out: '',
    err: '',
    stdout: (t) => {
      io.out += t;
    },
    stderr: (t) => {
      io.err += t;
    },
    readStdin: async () => null,
    // The given stdin text, through the same bounded collector the CLI uses.
    readPasted: async () => {
      const text = await io.readStdin();
      if (text === null) return null;
      const c = new PastedCollector();
      c.push(text);
      return c.finish();
    },
    isTTY: false,
    env: {},
    cwd: process.cwd(),
    ...over,
  };
  return io;
}
