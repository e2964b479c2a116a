import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const treeCommand: Command<object> = {
  command: 'tree',
  describe: 'tree (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('tree: not implemented yet', 2);
  },
};
