/**
 * Holds a warehouse open in its own process, as another command would:
 * `node --import tsx hold_warehouse.ts DB read|write LABEL`. Prints `holding`
 * once the file is open and closes it when its stdin ends.
 */
import { Warehouse } from '../../lib/core/warehouse.ts';

const [db, mode, label] = process.argv.slice(2);
const wh = await Warehouse.open(db, { readOnly: mode === 'read', holder: label, lockTimeoutMs: 30_000 });
process.stdout.write('holding\n');
process.stdin.resume();
process.stdin.on('end', () => {
  wh.close();
  process.exit(0);
});
