/**
 * Errors a user can act on. The CLI prints `message` as one line and exits with `exitCode`;
 * anything that is not a NixpyError is a bug and is reported as such.
 */
export class NixpyError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'NixpyError';
  }
}

/** Bad path, unparsable file, corrupt index, bad option value: exit 2 per the contract. */
export class InputError extends NixpyError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'InputError';
  }
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
};

/** A failed read or write of `path`, worded one way everywhere: `PATH: cannot read: permission denied`. */
export function ioError(path: string, action: 'read' | 'write', err: unknown): InputError {
  if (err instanceof InputError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why = code === undefined ? String(err) : (ERRNO_WORDS[code] ?? code);
  return new InputError(`${path}: cannot ${action}: ${why}`);
}
