import { parentPort, workerData } from 'node:worker_threads';
import { readDistIndex } from '../project/dists-io.js';
import { runtimeOf } from './runtime.js';
import type { RuntimeWorkerReply, RuntimeWorkerRequest } from './runtime-thread.js';

/*
 * The worker side of runtime-thread.ts: the run-time pass of one venv, computed exactly as in
 * the main thread (the same runtimeOf on the same metadata, read here again: a few
 * milliseconds, cheaper than sending the index across), and sent back once.
 */
const { venv, runtimeIgnore } = workerData as RuntimeWorkerRequest;
let reply: RuntimeWorkerReply;
try {
  reply = { ok: runtimeOf(venv, readDistIndex(venv), { runtimeIgnore }) };
} catch (e) {
  reply = { error: e instanceof Error ? e.message : String(e) };
}
parentPort?.postMessage(reply);
