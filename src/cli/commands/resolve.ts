import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const resolveCommand: Command<object> = {
  command: 'resolve',
  describe: 'resolve (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('resolve: not implemented yet', 2);
  },
};
