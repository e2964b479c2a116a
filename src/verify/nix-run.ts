
/** The Nix processes `--verify` starts: each one bounded by a timeout, none able to prompt. */

export type NixRun =
  | { kind: 'ok'; stdout: string; stderr: string }
  | { kind: 'failed'; stderr: string }
  | { kind: 'missing'; command: string }
  | { kind: 'timeout'; command: string; ms: number };

export interface NixCall {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
  /** Let Nix draw its progress on the user's terminal (stderr is then not captured). */
  progress: boolean;
}

export type RunNix = (call: NixCall) => Promise<NixRun>;

export const runNix: RunNix = async (call) => {
  // Loaded on use: execa and its dependencies take ~75 ms to load, and `check` (the pre-commit
  // hook) has this module in its graph for --verify, which most runs do not ask for.
  const { execa } = await import('execa');
  const r = await execa(call.command, [...call.args], {
    env: call.env,
    extendEnv: false,
    cwd: call.cwd,
    timeout: call.timeoutMs,
    reject: false,
    stdin: 'ignore',
    stderr: call.progress ? 'inherit' : 'pipe',
    lines: false,
    stripFinalNewline: false,
  });
  if (r.timedOut) return { kind: 'timeout', command: call.command, ms: call.timeoutMs };
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT') return { kind: 'missing', command: call.command };
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  if (r.exitCode !== 0) return { kind: 'failed', stderr };
  return { kind: 'ok', stdout: typeof r.stdout === 'string' ? r.stdout : '', stderr };
};

/** Flags common to the `nix` CLI calls: the flake commands enabled, no dirty-tree chatter. */
const NIX_COMMON = ['--extra-experimental-features', 'nix-command flakes', '--option', 'warn-dirty', 'false'];

/**
 * Evaluation of the verify expression. Flakes: `nix eval --impure` (builtins.currentSystem and a
 * file outside the flake's source need it); the lock file is read, never written or updated.
 * shell.nix: `nix-instantiate --eval --read-write-mode`, so that the derivations the value
 * depends on are written to the store and can be realised.
 */
export function evalCall(kind: 'flake' | 'shell', expr: string): { command: string; args: string[] } {
  if (kind === 'flake') {
    return {
      command: 'nix',
      args: ['eval', ...NIX_COMMON, '--json', '--impure', '--no-write-lock-file', '--no-update-lock-file', '--expr', expr],
    };
  }
  return { command: 'nix-instantiate', args: ['--eval', '--strict', '--json', '--read-write-mode', '--expr', expr] };
}

/** `nix-store --realise` builds or substitutes exactly the outputs named (`DRV!OUTPUT`). */
export function realiseCall(targets: readonly string[], quiet: boolean): { command: string; args: string[] } {
  return { command: 'nix-store', args: ['--realise', ...(quiet ? ['--quiet'] : []), ...targets] };
}
