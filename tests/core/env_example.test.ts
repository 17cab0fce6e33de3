import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, parseDotenv } from '../../lib/core/config.ts';
import { ENV_VARS } from '../../lib/sources/registry.ts';
import { ROOT } from '../helpers/shared.ts';

describe('.env.example', () => {
  const example = parseDotenv(readFileSync(join(ROOT, '.env.example'), 'utf8'), '.env.example');

  it('documents every setting the program reads', () => {
    const keys = [...Object.keys(AppConfig.shape), ...ENV_VARS.map((v) => v.name)];
    expect(keys.filter((k) => !(k in example))).toEqual([]);
  });

  it('holds no secret values', () => {
    for (const v of ENV_VARS.filter((x) => x.secret)) expect(example[v.name]).toBe('');
  });
});
