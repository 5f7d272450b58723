import { UsageError } from '../../exit-status.js';
import { optionParser, type SourceFlags } from '../shared/options.js';

export interface ServeFlags extends SourceFlags {
  readonly host: string;
  readonly port: number;
  readonly exposeProcesses?: boolean;
}

export const parsePort = optionParser((text: string) => {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`--port: '${text}' is not a port number (0 to 65535; 0 picks a free one)`);
  return n;
});
