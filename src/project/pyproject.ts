import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { InputError, ioError } from '../errors.js';
import { parseAttrPath } from '../nixpkgs/attrs.js';
import type { EnvName } from '../loader/types.js';
import type { Release } from '../nixpkgs/releases.js';
import { parseReleaseValue } from './nixpkgs-release.js';

/**
 * The project's nixpy settings, from `[tool.nixpy]` in pyproject.toml:
 *
 * ```toml
 * [tool.nixpy]
 * ignore = ["libacme.so.2", "libopencv_*.so.406"]  # sonames never reported (installed outside Nix, dlopen'ed optionally, ...); `*` and `?` are wildcards
 * extra = ["ffmpeg"]               # attributes the Nix file must also carry (libraries only dlopen'ed)
 * nix-file = "nix/shell.nix"       # the Nix file to read and patch, relative to pyproject.toml
 * env = "nixos"                    # loader model: "nixos" (default) or "host"
 * nixpkgs = "24.11"                # the nixpkgs release the Nix file evaluates against (or "unstable")
 * runtime-ignore = ["pyopengl"]    # distributions whose run-time loads (ctypes, cffi) are not reported
 * ```
 *
 * Anything else under [tool.nixpy], or a value of the wrong type, is an input error (exit 2)
 * naming the key: a typo must not silently turn a check off.
 */
export interface NixpyConfig {
  ignore: string[];
  extra: string[];
  /** Absolute path, resolved against the directory of pyproject.toml; null when unset. */
  nixFile: string | null;
  env: EnvName | null;
  /** `nixpkgs = "YY.MM"` or "unstable", validated; null when unset. */
  nixpkgs: Release | null;
  /** Distributions (any spelling; compared PEP 503-normalised) left out of the `runtime` report. */
  runtimeIgnore: string[];
  /** The pyproject.toml the settings came from, or null when it has no [tool.nixpy] table (or there is none). */
  source: string | null;
}

export const EMPTY_CONFIG: NixpyConfig = { ignore: [], extra: [], nixFile: null, env: null, nixpkgs: null, runtimeIgnore: [], source: null };

const KNOWN_KEYS = ['ignore', 'extra', 'nix-file', 'env', 'nixpkgs', 'runtime-ignore'] as const;

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function stringList(value: unknown, key: string, label: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new InputError(`${label}: [tool.nixpy] ${key} must be a list of strings`);
  }
  const empty = value.find((v) => v.trim() === '');
  if (empty !== undefined) throw new InputError(`${label}: [tool.nixpy] ${key} contains an empty string`);
  return value.map((v) => v.trim());
}

/**
 * Parses pyproject.toml text. `label` names the file in messages; `dir` resolves `nix-file`.
 * A file without [tool.nixpy] gives the empty configuration.
 */
export function parseNixpyConfig(text: string, label: string, dir: string): NixpyConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0] ?? 'invalid TOML';
      throw new InputError(`${label}:${err.line}:${err.column}: ${first}`);
    }
    throw err;
  }
  // Without a [tool.nixpy] table nothing came from the file: reports must not name it as the
  // configuration.
  const tool = doc.tool;
  if (tool === undefined) return EMPTY_CONFIG;
  if (!isTable(tool)) throw new InputError(`${label}: [tool] must be a table`);
  const section = tool.nixpy;
  if (section === undefined) return EMPTY_CONFIG;
  if (!isTable(section)) throw new InputError(`${label}: [tool.nixpy] must be a table`);

  for (const key of Object.keys(section)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      throw new InputError(
        `${label}: unknown key [tool.nixpy] ${key} (known: ${KNOWN_KEYS.join(', ')})`,
      );
    }
  }
  const config: NixpyConfig = { ...EMPTY_CONFIG, source: label };
  if (section.ignore !== undefined) {
    config.ignore = stringList(section.ignore, 'ignore', label);
    const bad = config.ignore.find((e) => e.includes('/'));
    if (bad !== undefined) throw new InputError(`${label}: [tool.nixpy] ignore: "${bad}" is not a soname or a soname pattern (no "/")`);
  }
  if (section.extra !== undefined) {
    config.extra = stringList(section.extra, 'extra', label).map((a) => a.replace(/^pkgs\./, ''));
    const bad = config.extra.find((a) => parseAttrPath(a) === null);
    if (bad !== undefined) throw new InputError(`${label}: [tool.nixpy] extra: "${bad}" is not an attribute path`);
  }
  if (section['nix-file'] !== undefined) {
    const v = section['nix-file'];
    if (typeof v !== 'string' || v.trim() === '') {
      throw new InputError(`${label}: [tool.nixpy] nix-file must be a non-empty string`);
    }
    config.nixFile = join(dir, v);
  }
  if (section.env !== undefined) {
    const v = section.env;
    if (v !== 'nixos' && v !== 'host') throw new InputError(`${label}: [tool.nixpy] env must be "nixos" or "host"`);
    config.env = v;
  }
  if (section.nixpkgs !== undefined) {
    const v = section.nixpkgs;
    if (typeof v !== 'string') throw new InputError(`${label}: [tool.nixpy] nixpkgs must be a string such as "24.11"`);
    config.nixpkgs = parseReleaseValue(v, `${label}: [tool.nixpy] nixpkgs`);
  }
  if (section['runtime-ignore'] !== undefined) config.runtimeIgnore = stringList(section['runtime-ignore'], 'runtime-ignore', label);
  return config;
}

/** Reads `<dir>/pyproject.toml`; no file means no settings. */
export async function loadNixpyConfig(dir: string): Promise<NixpyConfig> {
  const file = join(dir, 'pyproject.toml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return EMPTY_CONFIG;
    throw ioError(file, 'read', err);
  }
  return parseNixpyConfig(text, file, dir);
}

/**
 * `[tool.nixpy] ignore` entries as patterns: an exact soname, or one with `*` (any run of
 * characters) and `?` (one character), as in `libopencv_*.so.406`. Everything else is literal:
 * sonames are full of dots and pluses (`libstdc++.so.6`).
 */
export interface IgnoreMatcher {
  /** Whether some entry matches the soname. */
  matches(soname: string): boolean;
  /** The entries that match none of `sonames`: a stale or mistyped entry, worth a warning. */
  unused(sonames: Iterable<string>): string[];
}

/**
 * Wildcard match in O(pattern x text) steps: on a mismatch, only the last `*` is retried one
 * character further (the classic two-pointer method), so no pattern can make it backtrack
 * without bound as a translated regular expression could.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export function ignoreMatcher(entries: readonly string[]): IgnoreMatcher {
  const exact = new Set(entries.filter((e) => !/[*?]/.test(e)));
  const globs = entries.filter((e) => /[*?]/.test(e));
  const matchesEntry = (entry: string, soname: string): boolean => (exact.has(entry) ? entry === soname : globMatch(entry, soname));
  return {
    matches: (soname) => exact.has(soname) || globs.some((g) => globMatch(g, soname)),
    unused: (sonames) => {
      const all = [...sonames];
      return entries.filter((e) => !all.some((s) => matchesEntry(e, s)));
    },
  };
}
