/** The help of both bench commands' --history-db. */
export const HISTORY_DB_HELP = 'add the run as a span to this history database (default: $XDG_DATA_HOME/gpumon/history.db, if it exists)';
