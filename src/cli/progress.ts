/**
 * The "Scanning the venv: 120/161 objects" line on stderr while doctor works. Written by hand
 * rather than with ora: ora 8 divides by the terminal's width (`stty cols 0` turns its clear loop
 * into an endless one, which also keeps signal-exit's SIGTERM/SIGINT handlers from ever running)
 * and puts stdin into raw mode, where Ctrl-C is no signal. This one installs no signal handler,
 * never touches stdin, keeps no timer alive, and draws only on a terminal it can measure.
 */

/** Narrower than this, a progress line would wrap or say nothing useful: none is drawn. */
const MIN_COLUMNS = 20;

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** A real terminal of a sane width, not a dumb one, not CI (whose logs keep every frame). */
export function progressAllowed(stream: { isTTY?: boolean; columns?: number }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (stream.isTTY !== true) return false;
  const cols = stream.columns;
  if (typeof cols !== 'number' || !Number.isFinite(cols) || cols < MIN_COLUMNS) return false;
  if (env.TERM === 'dumb' || (env.CI !== undefined && env.CI !== '' && env.CI !== 'false')) return false;
  return true;
}

/** `text` cut to fit in `columns - 1` cells (the last column would make some terminals wrap). */
export function fitLine(text: string, columns: number): string {
  const room = Math.max(0, Math.floor(columns) - 1);
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length <= room ? flat : `${flat.slice(0, Math.max(0, room - 3))}...`;
}

export interface Progress {
  update(text: string): void;
  stop(): void;
}

const FRAMES = ['|', '/', '-', '\\'];
const CLEAR = '\r\u001b[K';

/** Starts drawing `text` on `stream`; a no-op Progress where progressAllowed says no. */
export function startProgress(stream: ProgressStream, env: Readonly<Record<string, string | undefined>>, text: string): Progress {
  if (!progressAllowed(stream, env)) return { update: () => {}, stop: () => {} };
  let current = text;
  let frame = 0;
  let drawn = false;
  let stopped = false;
  const draw = (): void => {
    if (stopped) return;
    // Measured on every frame: the terminal may have been resized (to 0 columns, even).
    if (!progressAllowed(stream, env)) {
      if (drawn) stream.write(CLEAR);
      drawn = false;
      return;
    }
    stream.write(`${CLEAR}${FRAMES[frame++ % FRAMES.length]} ${fitLine(current, (stream.columns ?? MIN_COLUMNS) - 2)}`);
    drawn = true;
  };
  const timer = setInterval(draw, 120);
  // The line is decoration: it must never keep the process alive.
  timer.unref();
  draw();
  return {
    update: (t) => {
      current = t;
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (drawn) stream.write(CLEAR);
    },
  };
}
