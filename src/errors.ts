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
