import { Chalk, type ChalkInstance } from 'chalk';
import { readPasted, type PastedInput } from './pasted-input.js';

/** Where a command writes. Tests pass their own; the CLI passes the process streams. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** All of stdin when it is not a terminal (`index build --from -`), else null. */
  readStdin: () => Promise<string | null>;
  /**
   * The error text piped into doctor, with bounded memory (pasted-input.ts); null on a
   * terminal. `waiting` is called once when nothing has come for a second.
   */
  readPasted: (waiting: () => void) => Promise<PastedInput | null>;
  isTTY: boolean;
  /** The terminal's width, when stdout is one. */
  columns?: number | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: async () => {
      if (process.stdin.isTTY) return null;
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readPasted: (waiting) => readPasted(process.stdin, waiting),
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Colour only on a TTY, never with --no-color or NO_COLOR (https://no-color.org). */
export function makeChalk(io: Io, colorFlag: boolean | undefined): ChalkInstance {
  const noColorEnv = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const on = colorFlag !== false && !noColorEnv && (colorFlag === true ? true : io.isTTY);
  return new Chalk({ level: on ? 1 : 0 });
}

export function printJson(io: Io, doc: unknown): void {
  io.stdout(JSON.stringify(doc, null, 2) + '\n');
}

/** The width to wrap human output to: the terminal's, else $COLUMNS, else 80. */
export function terminalWidth(io: Io): number {
  const fromEnv = Number(io.env.COLUMNS);
  return io.columns ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80);
}
