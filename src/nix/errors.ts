import { InputError } from '../errors.js';

/** A Nix file the real parser would refuse. Message: `FILE:LINE:COL: reason` (1-based). */
export class NixSyntaxError extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'NixSyntaxError';
  }
}
