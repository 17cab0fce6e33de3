/**
 * DuckDB's Node packages, loaded with require. They are CommonJS: an ESM
 * import makes Node scan each of the API's many files for its exports, which
 * took three times as long as loading them and decided how fast `athlete sql`
 * starts. Types come from `import type` as usual.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `@duckdb/node-api`. */
export const duckdbApi = require('@duckdb/node-api') as typeof import('@duckdb/node-api');

/** `@duckdb/node-bindings`: the C API, for copying typed arrays straight into vectors. */
export const duckdbBindings = require('@duckdb/node-bindings') as typeof import('@duckdb/node-bindings');
