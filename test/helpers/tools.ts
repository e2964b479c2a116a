import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A suite that needs an external tool (nix-instantiate, ldd, gcc). Locally it is skipped with a
 * visible reason when the tool is absent; in CI (CI=true) the absence is a failure, so a missing
 * install step can never turn into a silent pass.
 */
export function describeWithTool(tool: string, name: string, fn: () => void): void {
  if (hasTool(tool)) {
    describe(name, fn);
  } else if (process.env.CI) {
    describe(name, () => {
      throw new Error(`${tool} is required in CI but not installed (see .ci/run)`);
    });
  } else {
    describe.skip(`${name} (needs ${tool})`, fn);
  }
}

/** describeWithTool for a suite that needs several tools: every one must be there. */
export function describeWithTools(tools: readonly string[], name: string, fn: () => void): void {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) {
    describe(name, fn);
  } else if (process.env.CI) {
    describe(name, () => {
      throw new Error(`${missing.join(', ')} required in CI but not installed (see .ci/run)`);
    });
  } else {
    describe.skip(`${name} (needs ${missing.join(', ')})`, fn);
  }
}
