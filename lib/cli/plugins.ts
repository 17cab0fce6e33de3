/** `athlete plugins list`: the analysis plugins and whether they may run. */
import { pluginsFromEnv } from '../plugins/registry.ts';
import { UsageError } from './args.ts';
import type { Command } from './context.ts';
import { formatTable } from './output.ts';

/** The plugins command; exit 1 when a plugin named in PLUGINS failed to load. */
export const command: Command = {
  options: {},
  help: `Lists built-in plugins and those named in PLUGINS (paths or npm packages), with
whether ENABLE_PLUGINS and ENABLE_GPS_ANALYSIS let them run, and plugins that failed to load.`,
  async run({ positionals }, ctx) {
    if (positionals[0] !== 'list' || positionals.length !== 1) throw new UsageError('the only subcommand is: list');
    const { plugins, errors } = await pluginsFromEnv(ctx.env);
    ctx.out(
      formatTable(
        ['plugin', 'version', 'gps', 'enabled', 'description'],
        plugins.map((p) => ({
          plugin: p.name,
          version: p.version,
          gps: p.requiresGps ? 'needs GPS' : '',
          enabled: !ctx.config.ENABLE_PLUGINS ? 'no (ENABLE_PLUGINS=false)' : p.requiresGps && !ctx.config.ENABLE_GPS_ANALYSIS ? 'no (ENABLE_GPS_ANALYSIS=false)' : 'yes',
          description: p.description,
        })),
      ),
    );
    for (const e of errors) ctx.err(`could not load plugin ${e.spec}: ${e.reason}`);
    return errors.length ? 1 : 0;
  },
};
