/**
 * Child process of the streaming test: reads one exercise and one heart-rate
 * file through the archive reader and prints the samples joined and the peak
 * resident memory, so the parent measures this read alone.
 */
import { createReadStream, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { readGoogleHealthArchive, type ArchiveMember } from '../../../lib/sources/google_health/export.ts';

function member(path: string): ArchiveMember {
  return {
    name: path,
    head(n) {
      const buf = Buffer.alloc(Math.min(n, statSync(path).size));
      const fd = openSync(path, 'r');
      try {
        readSync(fd, buf, 0, buf.length, 0);
      } finally {
        closeSync(fd);
      }
      return buf;
    },
    read: () => readFileSync(path),
    stream: () => createReadStream(path, { highWaterMark: 1 << 20 }),
  };
}

const [exercises, heartRate] = process.argv.slice(2) as [string, string];
const { result } = await readGoogleHealthArchive([member(exercises), member(heartRate)], []);
process.stdout.write(
  JSON.stringify({
    workouts: result.workouts.length,
    samples: result.streams[0]?.time.length ?? 0,
    maxHr: result.workouts[0]?.max_hr ?? null,
    errors: result.errors.length,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
