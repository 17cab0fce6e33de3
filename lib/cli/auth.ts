/** `athlete auth`: connect a source (OAuth, saved tokens, login) or list what is connected. */
import { API_SOURCES } from '../sources/registry.ts';
import { authenticateSource, importGarminTokens, listAuth } from '../sources/auth_flow.ts';
import { UsageError } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { formatTable } from './output.ts';

/** The auth command. */
export const command: Command = {
  options: { list: 'flag', 'token-file': 'value' },
  help: `athlete auth strava|whoop|oura|withings runs the service's OAuth flow: open the printed
URL, approve, and the redirect to 127.0.0.1 completes it. Tokens are kept in TOKEN_STORE_PATH
(owner-only file, outside the warehouse) and refreshed before they expire.
athlete auth garmin imports saved tokens (--token-file or GARMIN_TOKEN_FILE) before trying
a login, which Garmin often blocks for scripts: the account export (athlete import) is the
dependable path. athlete auth vesync logs in with VESYNC_EMAIL/VESYNC_PASSWORD.
  --list             every source: configured or not, token expiry, last sync
  --token-file FILE  (garmin) tokens saved by another Garmin client`,
  async run({ options, positionals }, ctx) {
    if (options.list) {
      if (positionals.length) throw new UsageError('--list takes no source');
      return withWarehouse(ctx, async (wh) => {
        const rows = await listAuth(ctx.env, { warehouse: wh, athleteId: ctx.config.ATHLETE_ID });
        ctx.out(formatTable(['source', 'configured', 'token', 'expires', 'last_sync', 'status', 'message'], rows.map((r) => ({ ...r, configured: r.configured ? 'yes' : 'no', token: r.token ? (r.expired ? 'expired' : 'yes') : 'no' }))));
        return 0;
      });
    }
    if (positionals.length !== 1) throw new UsageError('name one source, or use --list');
    const source = positionals[0]!;
    if (!API_SOURCES.includes(source)) throw new UsageError(`unknown source ${source} (known: ${API_SOURCES.join(', ')})`);
    if (typeof options['token-file'] === 'string') {
      if (source !== 'garmin') throw new UsageError('--token-file is for garmin');
      const r = await importGarminTokens(options['token-file'], ctx.env);
      ctx.out(`garmin: tokens imported${r.expires ? `, access token valid until ${r.expires}` : ''}`);
      return 0;
    }
    const r = await authenticateSource(source, ctx.env, { out: ctx.out });
    // On failure the flow has already printed why.
    ctx.out(r.ok ? `${source}: connected${r.expires ? ` (token valid until ${r.expires})` : ''}` : `${source}: not connected`);
    return r.ok ? 0 : 1;
  },
};
