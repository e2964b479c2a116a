import { main } from '../../src/cli/main.js';
import { recordingIo } from './io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process in `cwd`, as a non-TTY with no colour. */
export async function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const io = recordingIo({ env: { PATH: process.env.PATH, ...env }, cwd });
  const code = await main(argv, io);
  return { code, stdout: io.out, stderr: io.err };
}
