import { parentPort } from 'node:worker_threads';
import { distributionOf } from '../project/dists.js';
import { readDistIndex } from '../project/dists-io.js';
import type { WalkReply, WalkRequest } from './runtime-thread.js';
import { walkForRuntime } from './runtime-walk.js';

/*
 * The worker side of runtime-thread.ts: the static pass of one venv, as the main thread would run
 * it (the same walkForRuntime over the same distribution metadata, read here again: a few
 * milliseconds, less than sending the index across), for the one request it gets, sent back
 * once. It may start before the venv is known (warmRuntimeWorker), so the request comes as a message.
 */
parentPort?.once('message', ({ venv, disabled }: WalkRequest) => {
  let reply: WalkReply;
  try {
    const dists = readDistIndex(venv);
    reply = { ok: walkForRuntime(venv, (rel) => distributionOf(rel, dists), disabled) };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e) };
  }
  // Sent before the worker ends: with no listener left its event loop is empty, and it exits.
  parentPort?.postMessage(reply);
});
