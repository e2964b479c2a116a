import { scanCommand } from './scan.js';
import { treeCommand } from './tree.js';
import { resolveCommand } from './resolve.js';
import { indexCommand } from './index-build.js';
import { fixCommand } from './fix.js';
import { doctorCommand } from './doctor.js';
import { checkCommand } from './check.js';
import { initCommand } from './init.js';

export const commands = [
  scanCommand,
  treeCommand,
  resolveCommand,
  indexCommand,
  fixCommand,
  doctorCommand,
  checkCommand,
  initCommand,
];
