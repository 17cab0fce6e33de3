/**
 * Apple Health export.xml, read as a stream (real exports are 0.5-4 GB): each
 * `Record` and `Workout` element is handed to the mapping (map.ts) as it
 * closes. Records inside Correlation blocks also appear on their own in the
 * export, so the nested copies are skipped.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { AppleHealthMapping, type AppleHealthOptions, type AppleHealthResult, type AppleWorkout } from './map.ts';

/** A copy of the attributes whose strings no longer share memory with the parser's input. */
function copyAll(a: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(a)) out[(' ' + k).slice(1)] = (' ' + a[k]!).slice(1);
  return out;
}

/**
 * Parse an Apple Health export.xml given as chunks (a file stream), in
 * bounded memory: only the kept records' values are retained.
 */
export async function parseAppleHealth(chunks: AsyncIterable<Uint8Array | string>, input: string, opts: AppleHealthOptions = {}): Promise<AppleHealthResult> {
  const mapping = new AppleHealthMapping(input, opts);
  const parser = new SaxesParser({ xmlns: false, position: true });
  let correlationDepth = 0;
  let workout: AppleWorkout | null = null;
  let recordCount = 0;

  parser.on('opentag', (tag: SaxesTagPlain) => {
    const a = tag.attributes as Record<string, string>;
    // Attribute strings are slices of the parser's input chunks: the ones kept are copied,
    // or every chunk would stay alive and memory would grow with the file.
    const own = (v: string | undefined) => (v === undefined ? v : (' ' + v).slice(1));
    switch (tag.name) {
      case 'Correlation':
        correlationDepth++;
        break;
      case 'Record':
        if (correlationDepth === 0 && !workout) mapping.record(a, ++recordCount);
        break;
      case 'Workout':
        workout = { attrs: copyAll(a), stats: {}, metadata: {}, route: null };
        break;
      case 'WorkoutStatistics':
        if (workout && a.type) workout.stats[own(a.type)!] = copyAll(a);
        break;
      case 'MetadataEntry':
        if (workout && a.key) workout.metadata[own(a.key)!] = own(a.value) ?? '';
        break;
      case 'FileReference':
        if (workout && a.path) workout.route = own(a.path.replace(/^\//, ''))!;
        break;
    }
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'Correlation') correlationDepth--;
    else if (tag.name === 'Workout' && workout) {
      mapping.workout(workout);
      workout = null;
    }
  });
  let failed: Error | null = null;
  parser.on('error', (e) => {
    failed ??= e;
  });

  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (failed) break;
  }
  if (!failed) parser.close();
  if (failed) {
    mapping.result.errors.push({ input, record: `line ${parser.line}`, reason: `malformed XML: ${(failed as Error).message.split('\n')[0]} (records before it kept)` });
  }
  return mapping.finish();
}
