// Writes snapshots to the history database as fast as it can, forever, and
// prints each one's time after its transaction commits: the SIGKILL test
// kills it mid-write and checks the file against what it printed.
import { openHistory } from '../../src/db/database.js';
import { HistoryRecorder } from '../../src/db/recorder.js';
import { snapshotSeries } from '../helpers/snapshots.js';

const db = await openHistory(process.argv[2]!, 'write');
const recorder = new HistoryRecorder(db);
const base = snapshotSeries(8, 13, 60);
recorder.begin('record', 'write loop', base[0]!.time);
for (let i = 0; ; i++) {
  const time = base[0]!.time + i * 10;
  recorder.add({ ...base[i % base.length]!, time });
  process.stdout.write(`${time}\n`);
}
