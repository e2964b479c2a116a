import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const scanCommand: Command<object> = {
  command: 'scan',
  describe: 'scan (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('scan: not implemented yet', 2);
  },
};
