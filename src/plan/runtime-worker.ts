import { parentPort } from 'node:worker_threads';
import { distributionOf } from '../project/dists.js';
import { readDistIndex } from '../project/dists-io.js';
import { listPythonSources, readClaimed } from '../scan/python-walk.js';
import type { WalkReply, WalkRequest } from './runtime-thread.js';
import { skipFor } from './runtime-walk.js';

/*
 * The worker side of runtime-thread.ts, for the one request it gets (it may start before the
 * venv is known, so the request comes as a message): the list of the venv's Python files, sent
 * as soon as it is made so that the main thread can read some of them once its own scan is done,
 * then the files this thread claims, read with the same rule for skipped distributions over the
 * same metadata (read here again: a few milliseconds, less than sending the index across).
 */
parentPort?.once('message', ({ venv, disabled, state }: WalkRequest) => {
  const send = (reply: WalkReply): void => parentPort?.postMessage(reply);
  try {
    const dists = readDistIndex(venv);
    const sources = listPythonSources(venv);
    send({ kind: 'sources', sources });
    send({ kind: 'part', part: readClaimed(venv, sources.py, new Int32Array(state), { skip: skipFor((rel) => distributionOf(rel, dists), disabled) }) });
  } catch (e) {
    send({ kind: 'error', error: e instanceof Error ? e.message : String(e) });
  }
  // With no listener left the worker's event loop is empty, and it exits.
});
