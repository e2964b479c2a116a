import type { Command, GlobalArgs } from '../common.js';
import { InputError } from '../../errors.js';
import { printJson } from '../io.js';
import { encodeIndex, decodeIndex, writeIndexFile } from '../../nixpkgs/cache.js';
import { defaultCacheFile } from '../../nixpkgs/index.js';
import { hitsFromDump, hitsFromNixLocate } from '../../nixpkgs/build.js';

interface IndexArgs {
  action: 'build' | undefined;
  from: string | undefined;
}

export const indexCommand: Command<IndexArgs> = {
  command: 'index <action>',
  describe: 'index build [--from FILE|-]: build the local soname index from nix-locate (one run) or a saved dump',
  builder: (y) =>
    y
      .positional('action', { choices: ['build'] as const, describe: 'what to do with the local index' })
      .option('from', { type: 'string', requiresArg: true, describe: 'read saved nix-locate output from FILE (- = stdin) instead of running it' }),
  run: async (args: IndexArgs & GlobalArgs, { io }) => {
    if (args.action !== 'build') throw new InputError(`index: unknown action ${JSON.stringify(args.action)}`);
    if (args.from === '') throw new InputError('index build: --from needs a file name or -');
    const { hits, skipped } =
      args.from !== undefined ? await hitsFromDump(args.from, io.readStdin) : await hitsFromNixLocate(io.env);
    const source = args.from === undefined ? 'nix-locate' : args.from === '-' ? 'stdin' : args.from;
    if (hits.length === 0) {
      throw new InputError(
        args.from === undefined
          ? 'index build: nix-locate listed no library files (is its database empty? run `nix-index`); the index was not changed'
          : `index build: no nix-locate lines in ${source}${skipped > 0 ? ` (${skipped} unrecognised lines)` : ''}; the index was not changed`,
      );
    }
    const data = encodeIndex(hits, source);
    const file = args.index !== undefined && args.index !== '' ? args.index : defaultCacheFile(io.env);
    const index = decodeIndex(data, file);
    writeIndexFile(file, data);
    const summary = { file, provenance: index.provenance, sonames: index.size, skippedLines: skipped };
    if (args.json) printJson(io, summary);
    else {
      io.stdout(
        `indexed ${index.provenance.entries} library files (${index.size} file names) from ${source} into ${file}` +
          (skipped > 0 ? ` (${skipped} lines not understood)` : '') +
          '\n',
      );
    }
    return 0;
  },
};
