import type { Command } from '../common.js';
import { NixpyError } from '../../errors.js';

// Placeholder until this command's issue lands; replaced wholesale by its owner.
export const doctorCommand: Command<object> = {
  command: 'doctor',
  describe: 'doctor (not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw new NixpyError('doctor: not implemented yet', 2);
  },
};
