import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const indexCommand: Command<object> = {
  command: 'index',
  describe: 'index (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('index: not implemented yet', 2);
  },
};
