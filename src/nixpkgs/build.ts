import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { InputError, NixpyError, ioError } from '../errors.js';
import { LOCATE_REGEX, parseLocateLine, type LocateHit } from './nix-locate.js';

/** Arguments of the one nix-locate run: every shared object under a lib directory, all types of file. */
export const NIX_LOCATE_ARGS: readonly string[] = ['--regex', '--type', 'r', '--type', 'x', '--type', 's', LOCATE_REGEX];

async function collect(lines: AsyncIterable<string>): Promise<{ hits: LocateHit[]; skipped: number }> {
  const hits: LocateHit[] = [];
  let skipped = 0;
  for await (const line of lines) {
    const h = parseLocateLine(line);
    if (h !== null) hits.push(h);
    else if (line.trim() !== '') skipped++;
  }
  return { hits, skipped };
}

/** Reads a saved dump (`-` = the given stdin text). */
export async function hitsFromDump(from: string, stdin: () => Promise<string | null>): Promise<{ hits: LocateHit[]; skipped: number }> {
  if (from === '-') {
    const text = await stdin();
    if (text === null) throw new InputError('index build: --from - needs nix-locate output on stdin');
    return collect(Readable.from(text.split('\n')));
  }
  const stream = createReadStream(from);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw ioError(from, 'read', err);
  }
  return collect(createInterface({ input: stream, crlfDelay: Infinity }));
}

const FALLBACK = 'the embedded index still serves `nixpy resolve`, `scan` and `fix`';

/** Runs nix-locate once and parses its output as it streams. */
export async function hitsFromNixLocate(env: NodeJS.ProcessEnv): Promise<{ hits: LocateHit[]; skipped: number }> {
  const sub = execa('nix-locate', [...NIX_LOCATE_ARGS], { env, extendEnv: false, buffer: { stdout: false, stderr: true }, reject: false, lines: false });
  let result: { hits: LocateHit[]; skipped: number };
  try {
    result = await collect(sub.iterable({ from: 'stdout' }) as AsyncIterable<string>);
  } catch {
    result = { hits: [], skipped: 0 };
  }
  const done = await sub;
  if (done.failed) {
    const code = (done as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new NixpyError(
        `index build: nix-locate not found (install nix-index and run \`nix-index\` once, or pass --from FILE with a saved dump); ${FALLBACK}`,
        2,
      );
    }
    const first = String(done.stderr ?? '').split('\n').find((l) => l.trim() !== '') ?? `exit code ${done.exitCode ?? '?'}`;
    throw new NixpyError(`index build: nix-locate failed: ${first.trim()} (is the nix-index database built? run \`nix-index\`); ${FALLBACK}`, 2);
  }
  return result;
}
