import { classifySoname } from '../../src/nixpkgs/classify.js';
import type { Classify } from '../../src/scan/index.js';

/** The classifier the plan gives the scan: nixpkgs' categories. */
export const classify: Classify = (soname, venvProviders) => classifySoname(soname, { venvProviders });
