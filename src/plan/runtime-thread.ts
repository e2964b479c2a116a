import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { distributionOf, type DistIndex } from '../project/dists.js';
import { joinParts, PASS_STATE_BYTES, readClaimed, type PassPart, type PythonSources, type PythonWalk } from '../scan/python-walk.js';
import { skipFor, walkForRuntime } from './runtime-walk.js';

/**
 * The static run-time pass (every Python file of the venv read for ctypes and cffi calls) on a
 * second thread, while this one scans the ELF objects: the two share nothing until the plan
 * joins them, and the pass holds most of a command's file reads (17,442 files on the bench venv,
 * 30,000 in a venv with torch and tensorflow). The worker lists the files and starts reading;
 * once this thread's scan is done it reads too, both claiming files from one shared counter, so
 * the pass ends about when the longer of the two jobs would, whichever it is.
 *
 * The answer is the in-thread one: the same list, the same skip rule, and the calls put back in
 * the list's order (scan/python-walk.ts joinParts). Only a pass stopped by its bounds can stop
 * at another file. The pass runs in this thread alone when the built worker is not there (the
 * sources, run by the test runner) or when a worker cannot be had or fails.
 */

export interface WalkRequest {
  venv: string;
  /** `[tool.nixpy] runtime-ignore`. */
  disabled: string[];
  /** The pass's shared state (python-walk.ts readClaimed). */
  state: SharedArrayBuffer;
}

export type WalkReply = { kind: 'sources'; sources: PythonSources } | { kind: 'part'; part: PassPart } | { kind: 'error'; error: string };

/** A pass under way: its result, or its end when the command fails first. */
export interface PendingWalk {
  /**
   * The walk. This thread reads its share here, so it is called once the thread's own work is
   * done; `dists` (the venv's metadata) gives it the skip rule.
   */
  result(dists: DistIndex): Promise<PythonWalk>;
  cancel(): void;
  /** Where the pass runs. */
  thread: 'worker' | 'main';
  /** Files this thread read for the pass so far (all of them when it runs here alone). */
  readHere(): number;
}

/** Beside this module in every build (dist/plan/ from tsc, dist/bundle/ from esbuild). */
const WORKER_FILE = fileURLToPath(new URL('./runtime-worker.js', import.meta.url));

/** A worker started ahead of need (warmRuntimeWorker), waiting for its request. */
let spare: Worker | null = null;

/**
 * Starts the worker before the venv is known: a command that will plan calls this before it loads
 * its own modules, so the worker's start-up (about 30 ms) overlaps theirs. Unreferenced until a
 * pass takes it, so an unused one never keeps the process alive.
 */
export function warmRuntimeWorker(): void {
  if (spare === null) spare = spawn();
  spare?.unref();
}

export function startPythonWalk(venv: string, disabled: readonly string[]): PendingWalk {
  const alone = (dists: DistIndex): PythonWalk => walkForRuntime(venv, (rel) => distributionOf(rel, dists), disabled);
  const worker = spare ?? spawn();
  spare = null;
  let here = 0;
  const counted = (walk: PythonWalk): PythonWalk => ((here = walk.pass.files), walk);
  if (worker === null) return { result: (dists) => Promise.resolve(counted(alone(dists))), cancel: () => {}, thread: 'main', readHere: () => here };
  const shared = new SharedArrayBuffer(PASS_STATE_BYTES);
  const sources = replyOf(worker, 'sources');
  const part = replyOf(worker, 'part');
  worker.ref();
  worker.postMessage({ venv, disabled: [...disabled], state: shared } satisfies WalkRequest);
  const together = async (dists: DistIndex): Promise<PythonWalk | null> => {
    const list = await sources;
    if (list === null) return null;
    const state = new Int32Array(shared);
    const mine = readClaimed(venv, list.sources.py, state, { skip: skipFor((rel) => distributionOf(rel, dists), disabled) });
    here = mine.files;
    const theirs = await part;
    return theirs === null ? null : joinParts(list.sources, [theirs.part, mine], state);
  };
  return {
    // A worker that fails or dies part-way leaves files claimed and unread: the pass starts over here.
    result: async (dists) => (await together(dists)) ?? counted(alone(dists)),
    cancel: () => void worker.terminate(),
    thread: 'worker',
    readHere: () => here,
  };
}

/** The worker's reply of this kind; null if it fails or ends without one. */
function replyOf<K extends WalkReply['kind']>(worker: Worker, kind: K): Promise<Extract<WalkReply, { kind: K }> | null> {
  return new Promise((resolve) => {
    const onMessage = (reply: WalkReply): void => {
      if (reply.kind === kind) resolve(reply as Extract<WalkReply, { kind: K }>);
      else if (reply.kind === 'error') resolve(null);
    };
    worker.on('message', onMessage);
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
}

/** Runs `work` while the pass goes on; a failure of `work` ends the pass, which nobody will read. */
export async function whileRunning<T>(pending: PendingWalk | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    pending?.cancel();
    throw e;
  }
}

/** A worker waiting for its request; null where none is built or none can be had. */
function spawn(): Worker | null {
  if (!existsSync(WORKER_FILE)) return null;
  try {
    return new Worker(WORKER_FILE);
  } catch {
    return null;
  }
}
