import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DistIndex } from '../project/dists.js';
import type { NixpyConfig } from '../project/pyproject.js';
import type { RuntimeScan } from './runtime-loads.js';
import { runtimeOf } from './runtime.js';

/**
 * The run-time pass (every Python file of the venv read for ctypes and cffi calls) on a second
 * thread, while this one scans the ELF objects: the two share nothing until the plan joins
 * them, and the pass is the larger half of a scan's file reads (17,442 files on the bench venv).
 * On a machine with a spare core a command then takes about as long as the longer of the two
 * instead of their sum; on a busy one, as long as before.
 *
 * The worker runs the same runtimeOf on the same files, so its answer is the in-thread one. It
 * runs in the thread instead when the built worker is not there (the sources run by the test
 * runner) or when a worker cannot be had.
 */

export interface RuntimeWorkerRequest {
  venv: string;
  runtimeIgnore: string[];
}

export type RuntimeWorkerReply = { ok: RuntimeScan } | { error: string };

/** A pass under way: its result, or its end when the command fails first. */
export interface PendingRuntime {
  result(): Promise<RuntimeScan>;
  cancel(): void;
  /** Where the pass runs. */
  thread: 'worker' | 'main';
}

/** Beside this module in every build (dist/plan/ from tsc, dist/bundle/ from esbuild). */
const WORKER_FILE = fileURLToPath(new URL('./runtime-worker.js', import.meta.url));

export function startRuntimeScan(venv: string, dists: DistIndex, config: Pick<NixpyConfig, 'runtimeIgnore'>): PendingRuntime {
  const inThread = (): Promise<RuntimeScan> => Promise.resolve(runtimeOf(venv, dists, config));
  const worker = existsSync(WORKER_FILE) ? spawn({ venv, runtimeIgnore: [...config.runtimeIgnore] }) : null;
  if (worker === null) return { result: inThread, cancel: () => {}, thread: 'main' };
  const answer = new Promise<RuntimeScan | null>((resolve) => {
    worker.once('message', (reply: RuntimeWorkerReply) => resolve('ok' in reply ? reply.ok : null));
    // A worker that fails or dies says nothing useful: the pass is done here instead.
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
  return {
    result: async () => (await answer) ?? runtimeOf(venv, dists, config),
    cancel: () => void worker.terminate(),
    thread: 'worker',
  };
}

/** Runs `work` while the pass goes on; a failure of `work` ends the pass, which nobody will read. */
export async function whileRunning<T>(pending: PendingRuntime | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    pending?.cancel();
    throw e;
  }
}

function spawn(request: RuntimeWorkerRequest): Worker | null {
  try {
    return new Worker(WORKER_FILE, { workerData: request });
  } catch {
    return null;
  }
}
