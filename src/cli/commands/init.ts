import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const initCommand: Command<object> = {
  command: 'init',
  describe: 'init (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('init: not implemented yet', 2);
  },
};
