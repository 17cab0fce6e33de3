import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/shared.ts';
import { committedNotebookProblems } from '../helpers/jupyter.ts';

const dir = join(ROOT, 'notebooks');
const notebooks = readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort();

describe('committed notebooks', () => {
  it('include the smoke notebook', () => {
    expect(notebooks).toContain('00_smoke.ipynb');
  });

  it.each(notebooks)('%s is small, has no saved outputs and uses the tslab kernel', (file) => {
    expect(committedNotebookProblems(join(dir, file))).toEqual([]);
  });
});
