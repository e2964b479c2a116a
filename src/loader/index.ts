export { createLoaderEnv, MODELLED_MACHINES, NIXOS_GLIBC_LIBDIR, UnmodelledMachineError, type LoaderEnvOptions } from './env.js';
export { loadClosure } from './shared.js';
export { RootObjectError } from './root.js';
export { createObjectCache } from './objects.js';
export { loadLdSoCache, parseLdSoCache, makeCacheLookup, LdSoCacheError, X86_64_CACHE_FLAGS, AARCH64_CACHE_FLAGS, type LdSoCache } from './ld-so-cache.js';
export { NIXOS_GLIBC_SONAMES, NIXOS_GLIBC_X86_64_LIBRARIES, NIXOS_GLIBC_X86_64_SONAMES, NIXOS_GLIBC_AARCH64_LIBRARIES } from './nixos-glibc.js';
export type * from './types.js';
