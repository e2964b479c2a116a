import { main } from '../../src/cli/main.js';
import { recordingIo } from './io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process in `cwd`, as a non-TTY with no colour. */
export async function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  // COLUMNS: wide, so that assertions read whole lines; wrapping has its own test.
  const io = recordingIo({ env: { PATH: process.env.PATH, COLUMNS: '400', ...env }, cwd });
  const code = await main(argv, io);
  return { code, stdout: io.out, stderr: io.err };
}
