import pkg from '../package.json' with { type: 'json' };

/** gpumon's version, from package.json (bundled in at build time). */
export const VERSION: string = pkg.version;
