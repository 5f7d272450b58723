/** A command's standard output: written to, and asked whether it is a terminal and how wide. */
export interface Stdout {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where a command writes and what environment it reads: the process's, or a test's. */
export interface Io {
  readonly stdout: Stdout;
  readonly env: NodeJS.ProcessEnv;
}
