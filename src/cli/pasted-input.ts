import { StringDecoder } from 'node:string_decoder';

/**
 * The error text piped into `nixpy doctor`, read with bounded memory. What matters in it is the
 * loader's complaint (`cannot open shared object file`, `version ... not found`, `error while
 * loading shared libraries`), which a traceback puts near the end, and which a long build or
 * test log can hold anywhere. So the reader keeps the last TAIL_BYTES of the text, plus every
 * earlier line that carries one of those anchors (up to MAX_ANCHOR_LINES), and drops the rest:
 * 400 MB in holds at most ~2 MB.
 */
export const TAIL_BYTES = 1024 * 1024; // characters, counted as JavaScript stores them
export const MAX_ANCHOR_LINES = 200;
/** A line longer than this is cut into pieces of this size (minified JSON, base64 blobs). */
export const MAX_LINE = 16 * 1024;

/** The anchors src/plan/error-text.ts parses outward from. */
const ANCHORS = ['cannot open shared object file', 'not found', 'error while loading shared libraries'];

export interface PastedInput {
  /** Anchor lines from before the tail (in order), then the tail. */
  text: string;
  /** Bytes read in all. */
  bytes: number;
  /** True when lines were dropped (the input outgrew the tail). */
  dropped: boolean;
}

/** Collects text pushed in chunks; memory stays within TAIL_BYTES + anchors + one line. */
export class PastedCollector {
  #decoder = new StringDecoder('utf8');
  #partial = '';
  /** Kept lines are #tail[#first..]; the dropped prefix is compacted away now and then. */
  #tail: string[] = [];
  #first = 0;
  #tailSize = 0;
  #anchors: string[] = [];
  #bytes = 0;
  #dropped = false;

  push(chunk: Buffer | string): void {
    this.#bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.#take(typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
  }

  finish(): PastedInput {
    this.#take(this.#decoder.end());
    if (this.#partial !== '') this.#line(this.#partial);
    this.#partial = '';
    const head = this.#anchors.length > 0 ? this.#anchors.join('\n') + '\n' : '';
    return { text: head + this.#tail.slice(this.#first).join('\n'), bytes: this.#bytes, dropped: this.#dropped };
  }

  #take(text: string): void {
    const all = this.#partial + text;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl >= 0; nl = all.indexOf('\n', start)) {
      this.#line(all.slice(start, nl));
      start = nl + 1;
    }
    while (all.length - start > MAX_LINE) {
      this.#line(all.slice(start, start + MAX_LINE));
      start += MAX_LINE;
    }
    this.#partial = all.slice(start);
  }

  #line(line: string): void {
    for (let i = 0; i < line.length; i += MAX_LINE) this.#keep(line.slice(i, i + MAX_LINE));
    if (line.length === 0) this.#keep('');
  }

  #keep(line: string): void {
    this.#tail.push(line);
    this.#tailSize += line.length + 1;
    while (this.#tailSize > TAIL_BYTES && this.#tail.length - this.#first > 1) {
      const old = this.#tail[this.#first++]!;
      this.#tailSize -= old.length + 1;
      this.#dropped = true;
      if (this.#anchors.length < MAX_ANCHOR_LINES && ANCHORS.some((a) => old.includes(a))) this.#anchors.push(old);
    }
    if (this.#first > 4096 && this.#first * 2 > this.#tail.length) {
      this.#tail = this.#tail.slice(this.#first);
      this.#first = 0;
    }
  }
}

export interface PastedStream extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

/**
 * Reads the pasted text from `stream` (null on a terminal: nothing is being pasted). When
 * nothing has come after `noticeAfterMs`, calls `waiting` once, so that `sleep 12 | nixpy doctor`
 * says what it waits for instead of hanging in silence; it still reads to the end, since the
 * command on the left of the pipe (a slow `import torch`) may print its error late.
 */
export async function readPasted(
  stream: PastedStream,
  waiting: () => void,
  noticeAfterMs = 1000,
): Promise<PastedInput | null> {
  if (stream.isTTY) return null;
  const collector = new PastedCollector();
  let any = false;
  const timer = setTimeout(() => {
    if (!any) waiting();
  }, noticeAfterMs);
  // A pending notice must not keep the process alive on its own.
  timer.unref();
  try {
    for await (const chunk of stream) {
      any = true;
      collector.push(chunk);
    }
  } finally {
    clearTimeout(timer);
  }
  return collector.finish();
}
