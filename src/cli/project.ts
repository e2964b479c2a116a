import type { Argv } from 'yargs';
import { envChoice } from '../project/env-choice.js';
import type { ProjectOptions } from '../project/project.js';
import type { EnvName } from '../loader/types.js';
import type { GlobalArgs } from './common.js';
import type { Io } from './io.js';

/** Where doctor, check and init look for the project: the same options, the same meaning. */
export interface ProjectArgs {
  project: string | undefined;
  venv: string | undefined;
  flake?: string | undefined;
  nixpkgs?: string | undefined;
}

export function projectOptions<T>(y: Argv<T>, withFlake: boolean): Argv<T & ProjectArgs> {
  const z = y
    // No default here, unlike the global option: [tool.nixpy] env applies when --env is absent.
    .default('env', undefined, 'none: [tool.nixpy] env, else nixos')
    .option('project', { type: 'string', describe: 'project directory (default: the working directory)' })
    .option('venv', { type: 'string', describe: 'the venv (default: $VIRTUAL_ENV, $UV_PROJECT_ENVIRONMENT, ./.venv)' })
    .option('nixpkgs', { type: 'string', describe: 'the nixpkgs release to spell attributes for: YY.MM or unstable (default: [tool.nixpy] nixpkgs, the lock file, the running NixOS)' });
  const w = withFlake
    ? z.option('flake', { type: 'string', describe: 'the Nix file (default: [tool.nixpy] nix-file, flake.nix, shell.nix, devenv.nix)' })
    : z;
  return w;
}

/** The project-locating part of the doctor/check/init options, from the parsed arguments. */
export function projectFrom(args: ProjectArgs & GlobalArgs, io: Io): ProjectOptions & { model: EnvName | null; nixpkgs: string | undefined } {
  return { cwd: io.cwd, env: io.env, project: args.project, venv: args.venv, flake: args.flake, model: envChoice(args.env), nixpkgs: args.nixpkgs };
}

/** A shell word as the user would retype it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `nixpy COMMAND` with the options that decide the plan (where the project is, the loader model,
 * the assumed search path, the index), as the user gave them: the command that `check` and
 * `doctor` suggest then judges exactly what they judged.
 */
export function sameJudgement(command: string, args: ProjectArgs & GlobalArgs): string {
  const parts = ['nixpy', command];
  const given: [string, string | undefined][] = [
    ['--project', args.project],
    ['--venv', args.venv],
    ['--flake', args.flake],
    ['--env', args.env],
    ['--nixpkgs', args.nixpkgs],
    ['--ld-library-path', args['ld-library-path']],
    ['--index', args.index],
  ];
  for (const [flag, value] of given) if (value !== undefined) parts.push(flag, shellQuote(value));
  return parts.join(' ');
}
