import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const checkCommand: Command<object> = {
  command: 'check',
  describe: 'check (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('check: not implemented yet', 2);
  },
};
