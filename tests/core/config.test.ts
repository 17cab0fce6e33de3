import { describe, expect, it } from 'vitest';
import { loadConfig, parseDotenv, ConfigError } from '../../lib/core/config.ts';

describe('configuration', () => {
  it('has defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ LOG_LEVEL: 'info', ATHLETE_ID: 'me', AUTO_DEDUPLICATE: true, ENABLE_GPS_ANALYSIS: true, SYNC_DAYS: 30 });
  });

  it('names the bad key and never echoes its value', () => {
    let err: unknown;
    try {
      loadConfig({ LOG_LEVEL: 'loud', AUTO_DEDUPLICATE: 'sometimes-secret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('LOG_LEVEL');
    expect(msg).toContain('AUTO_DEDUPLICATE: expected true or false');
    expect(msg).not.toContain('sometimes-secret');
  });

  it('parses .env files', () => {
    expect(parseDotenv('# c\nA=1\nexport B="two words"\nC=x # note\n\nD=\'q\'')).toEqual({ A: '1', B: 'two words', C: 'x', D: 'q' });
    expect(() => parseDotenv('A=1\nnot a line', '.env')).toThrow('.env:2: expected KEY=value');
  });
});
