import { spawnSync } from 'node:child_process';

export interface NixRun {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string): NixRun {
  const r = spawnSync('nix-instantiate', ['--store', 'dummy://', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, NIX_PATH: '' },
  });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The real Nix parser's verdict on a file (or on source text via stdin with `-`). */
export function nixParseFile(path: string): NixRun {
  return run(['--parse', path]);
}

export function nixParseText(source: string): NixRun {
  return run(['--parse', '-'], source);
}

/** Evaluates an expression strictly and returns its JSON rendering (extraArgs e.g. `-I nixpkgs=DIR`). */
export function nixEvalJson(expr: string, extraArgs: string[] = []): NixRun {
  return run(['--eval', '--strict', '--json', ...extraArgs, '-E', expr]);
}
