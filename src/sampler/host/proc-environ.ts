import { readFileSync } from 'node:fs';

/** A process's environment, or why it cannot be read (another user's process: /proc allows only its owner and root). */
export type ProcEnviron = { readonly vars: ReadonlyMap<string, string> } | { readonly unreadable: string };

/** /proc/PID/environ: NUL-separated NAME=value entries, as the process was started (later setenv calls do not show). */
export function parseEnviron(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return vars;
}

export function readEnviron(pid: number, procRoot = '/proc'): ProcEnviron {
  try {
    return { vars: parseEnviron(readFileSync(`${procRoot}/${pid}/environ`, 'utf8')) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { unreadable: 'not readable: the process belongs to another user (run as its user or root)' };
    if (code === 'ENOENT' || code === 'ESRCH') return { unreadable: 'the process has exited' };
    return { unreadable: `cannot read /proc/${pid}/environ: ${code ?? (e as Error).message}` };
  }
}
