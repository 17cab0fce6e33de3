/**
 * The plugin registry: built-in plugins, external ones loaded from paths or
 * npm packages named in config (`PLUGINS`), and a runner that applies every
 * plugin to a workout so one failing plugin never stops the others.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { formatZodError } from '../core/models.ts';
import type { AnalysisPlugin, PluginResult, PluginStreams, PluginWorkout } from './base.ts';
import { ballSportsPlugin } from './ball_sports/index.ts';
import { runningPlugin } from './running/index.ts';

/** Plugins that ship with the project. */
export const BUILTIN_PLUGINS: readonly AnalysisPlugin[] = [ballSportsPlugin, runningPlugin];

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'must be a function' });

/** The shape an external plugin must have. */
export const PluginShape = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'name must be a lower-case identifier'),
  version: z.string().min(1),
  description: z.string(),
  requiresGps: z.boolean(),
  canAnalyze: fn,
  analyze: fn,
});

/** A plugin that could not be loaded, with where it was named. */
export interface PluginLoadError {
  spec: string;
  reason: string;
}

/** Entries of a comma-separated `PLUGINS` setting. */
export function pluginSpecs(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A file path (relative ones against `baseDir`) becomes a file URL; anything else is a package name. */
function importTarget(spec: string, baseDir: string): string {
  const isPath = spec.startsWith('.') || isAbsolute(spec) || /\.(m?[jt]s|cjs)$/.test(spec);
  return isPath ? pathToFileURL(resolve(baseDir, spec)).href : spec;
}

/**
 * Import a plugin module. A TypeScript one goes through tsx: the CLI runs
 * compiled JavaScript, with no TypeScript loader registered.
 */
async function importModule(target: string): Promise<unknown> {
  if (!/\.[cm]?ts$/.test(target)) return import(target);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(target, import.meta.url);
}

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** Folder relative paths are read from; default the working directory. */
  baseDir?: string;
  /** Plugins already present (their names cannot be taken); default the built-ins. */
  existing?: readonly AnalysisPlugin[];
  /** Module loader; default dynamic `import()`. */
  importer?: (target: string) => Promise<unknown>;
}

/**
 * Load external plugins. Each module exports a plugin as its default export
 * or as `plugin`. A module that cannot be imported, has no plugin, fails the
 * shape check, or reuses a plugin's name is reported, never thrown.
 */
export async function loadPlugins(
  specs: readonly string[],
  opts: LoadPluginsOptions = {},
): Promise<{ plugins: AnalysisPlugin[]; errors: PluginLoadError[] }> {
  const baseDir = opts.baseDir ?? process.cwd();
  const importer = opts.importer ?? importModule;
  const taken = new Set((opts.existing ?? BUILTIN_PLUGINS).map((p) => p.name));
  const plugins: AnalysisPlugin[] = [];
  const errors: PluginLoadError[] = [];
  for (const spec of specs) {
    let mod: unknown;
    try {
      mod = await importer(importTarget(spec, baseDir));
    } catch (e) {
      errors.push({ spec, reason: `cannot be imported: ${(e as Error).message}` });
      continue;
    }
    const m = (mod ?? {}) as Record<string, unknown>;
    const candidate = m.plugin ?? m.default;
    if (candidate === undefined) {
      errors.push({ spec, reason: 'exports no plugin (expected a default export or `plugin`)' });
      continue;
    }
    const parsed = PluginShape.safeParse(candidate);
    if (!parsed.success) {
      errors.push({ spec, reason: formatZodError(parsed.error, 'not a valid plugin') });
      continue;
    }
    if (taken.has(parsed.data.name)) {
      errors.push({ spec, reason: `plugin name "${parsed.data.name}" is already taken` });
      continue;
    }
    taken.add(parsed.data.name);
    plugins.push(candidate as AnalysisPlugin);
  }
  return { plugins, errors };
}

/** Built-in plugins plus those named in `PLUGINS` (comma-separated paths or package names). */
export async function pluginsFromEnv(
  env: Record<string, string | undefined> = process.env,
  opts: Omit<LoadPluginsOptions, 'existing'> = {},
): Promise<{ plugins: AnalysisPlugin[]; errors: PluginLoadError[] }> {
  const external = await loadPlugins(pluginSpecs(env.PLUGINS), { ...opts, existing: BUILTIN_PLUGINS });
  return { plugins: [...BUILTIN_PLUGINS, ...external.plugins], errors: external.errors };
}

/** Options of {@link runPlugins}. */
export interface RunOptions {
  /** ENABLE_PLUGINS: when false every plugin is skipped. */
  enablePlugins: boolean;
  /** ENABLE_GPS_ANALYSIS: when false plugins that require GPS are skipped. */
  enableGps: boolean;
  /** Run only the plugins with these names. */
  only?: readonly string[];
  /** Per-plugin settings, by plugin name. */
  config?: Record<string, Record<string, unknown>>;
}

/** What happened when one plugin met one workout. */
export interface PluginRun {
  plugin: string;
  version: string;
  status: 'ok' | 'error' | 'skipped';
  result?: PluginResult;
  /** Why it failed, or why it was skipped. */
  error?: string;
}

function skipReason(p: AnalysisPlugin, w: PluginWorkout, opts: RunOptions): string | null {
  if (!opts.enablePlugins) return 'plugins are disabled';
  if (opts.only && !opts.only.includes(p.name)) return 'not selected';
  if (p.requiresGps && !opts.enableGps) return 'GPS analysis is disabled';
  if (p.requiresGps && !w.has_gps) return 'workout has no GPS';
  return null;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Run each applicable plugin on one workout, one after another. A plugin that
 * throws (or returns no metrics object) is recorded as an error and the
 * others still run.
 */
export async function runPlugins(
  plugins: readonly AnalysisPlugin[],
  workout: PluginWorkout,
  streams: PluginStreams,
  opts: RunOptions,
): Promise<PluginRun[]> {
  const runs: PluginRun[] = [];
  for (const p of plugins) {
    const base = { plugin: p.name, version: p.version };
    const skip = skipReason(p, workout, opts);
    if (skip) {
      runs.push({ ...base, status: 'skipped', error: skip });
      continue;
    }
    try {
      if (!p.canAnalyze(workout)) {
        runs.push({ ...base, status: 'skipped', error: `does not apply to ${workout.sport}` });
        continue;
      }
      const result = await p.analyze(workout, streams, opts.config?.[p.name]);
      if (!result || typeof result !== 'object' || typeof result.metrics !== 'object' || result.metrics === null) {
        runs.push({ ...base, status: 'error', error: 'returned no metrics object' });
        continue;
      }
      runs.push({ ...base, status: 'ok', result });
    } catch (e) {
      runs.push({ ...base, status: 'error', error: message(e) });
    }
  }
  return runs;
}
