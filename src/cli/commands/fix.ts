import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const fixCommand: Command<object> = {
  command: 'fix',
  describe: 'fix (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('fix: not implemented yet', 2);
  },
};
