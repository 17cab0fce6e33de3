import { describe, expect, it } from 'vitest';
import { cycles, importGraph } from './imports.ts';

/** What each layer of `lib/` may import (DESIGN: imports only ever point down). */
const MAY_IMPORT: Record<string, string[]> = {
  core: ['core'],
  formats: ['core', 'formats'],
  sources: ['core', 'formats', 'sources'],
  ingest: ['core', 'formats', 'sources', 'ingest'],
  analysis: ['core', 'analysis'],
  plugins: ['core', 'plugins'],
  ml: ['core', 'analysis', 'ml'],
  report: ['core', 'analysis', 'ml', 'plugins', 'report'],
  demo: ['core', 'formats', 'ingest', 'demo'],
  lake: ['core', 'lake'],
};

const layerOf = (module: string): string => module.split('/')[0]!;

describe('lib layering', () => {
  const graph = importGraph();

  it('has modules in every layer it checks', () => {
    for (const layer of Object.keys(MAY_IMPORT)) expect([...graph.keys()].some((m) => layerOf(m) === layer), layer).toBe(true);
  });

  it('imports only point down: core imports nothing above it, formats and sources never reach ingest, plugins or the demo', () => {
    const wrong: string[] = [];
    for (const [module, deps] of graph) {
      const allowed = MAY_IMPORT[layerOf(module)];
      if (!allowed) continue;
      for (const dep of deps) if (!allowed.includes(layerOf(dep))) wrong.push(`${module} -> ${dep}`);
    }
    expect(wrong).toEqual([]);
  });

  it('has no circular imports', () => {
    expect(cycles(graph)).toEqual([]);
  });
});
