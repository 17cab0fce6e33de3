/**
 * OAuth tokens on disk: one JSON file outside the warehouse, owner-only
 * (0600), written atomically so a crash mid-write never loses a rotated
 * refresh token. Entries are kept per athlete and source:
 * `{ "version": 2, "athletes": { "<athlete>": { "<source>": {...} } } }`.
 * A file from before athletes existed (`{ "<source>": {...} }`) holds the
 * one athlete's tokens; it is read as the entries of `legacyOwner` and
 * rewritten in the new shape on the next write.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { registerSecret } from '../../core/redact.ts';
import { expandHome } from '../../core/settings.ts';

/** One source's saved credentials. `expires_at` is epoch seconds (UTC). */
export interface TokenEntry {
  access_token?: string;
  refresh_token?: string;
  expires_at?: number;
  token_type?: string;
  scope?: string;
  /** Source-specific extras (Garmin's OAuth1 token, VeSync's account id). */
  extra?: Record<string, string>;
  updated_at?: string;
}

/** What `athlete auth --list` shows: presence and expiry only, never a secret. */
export interface TokenSummary {
  source: string;
  hasAccessToken: boolean;
  hasRefreshToken: boolean;
  expiresAt: Date | null;
  expired: boolean;
  scope: string | null;
  updatedAt: string | null;
}

/** The token file path: `TOKEN_STORE_PATH`, else ~/.config/athlete-performance/tokens.json. */
export function defaultTokenStorePath(env: Record<string, string | undefined> = {}): string {
  return env.TOKEN_STORE_PATH ? expandHome(env.TOKEN_STORE_PATH) : join(homedir(), '.config', 'athlete-performance', 'tokens.json');
}

/** The athlete whose tokens a connector uses when none is named. */
export const DEFAULT_TOKEN_ATHLETE = 'me';

/** The configured token file, holding the entries of the athlete `ATHLETE_ID` names (default `me`). */
export function tokenStoreFor(env: Record<string, string | undefined> = {}): TokenStore {
  return new TokenStore(defaultTokenStorePath(env), { athleteId: env.ATHLETE_ID || DEFAULT_TOKEN_ATHLETE });
}

/** Every athlete's entries, by athlete and then source. */
type AllEntries = Record<string, Record<string, TokenEntry>>;

/** The file as stored. */
interface TokenFile {
  version: 2;
  athletes: AllEntries;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Options of a {@link TokenStore}. */
export interface TokenStoreOptions {
  now?: () => Date;
  /** Whose entries `get`, `set`, `has`, `delete` and `list` read and write (default `me`). */
  athleteId?: string;
  /** Who owned the entries of a file from before athletes existed (default: `athleteId`). */
  legacyOwner?: string;
}

/** One athlete's per-source token entries in one owner-only JSON file shared by all athletes. */
export class TokenStore {
  /** Where the file lives. */
  readonly path: string;
  /** Whose entries this store reads and writes. */
  readonly athleteId: string;
  private readonly legacyOwner: string;
  private readonly now: () => Date;
  // Serialises writes from concurrent refreshes in one process.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(path: string, opts: TokenStoreOptions = {}) {
    this.path = path;
    this.now = opts.now ?? (() => new Date());
    this.athleteId = opts.athleteId ?? DEFAULT_TOKEN_ATHLETE;
    this.legacyOwner = opts.legacyOwner ?? this.athleteId;
  }

  /** The saved entry for `source`, or null. */
  async get(source: string): Promise<TokenEntry | null> {
    const e = (await this.readAll())[this.athleteId]?.[source];
    if (!e) return null;
    registerSecret(e.access_token);
    registerSecret(e.refresh_token);
    for (const v of Object.values(e.extra ?? {})) registerSecret(v);
    return e;
  }

  /** Whether an entry for `source` exists (synchronous, for `isConfigured`); false when the file is unreadable. */
  has(source: string): boolean {
    try {
      const e = this.parse(readFileSync(this.path, 'utf8'))[this.athleteId]?.[source];
      return Boolean(e?.access_token || e?.refresh_token);
    } catch {
      return false;
    }
  }

  /** Replace the entry for `source` (atomic write, mode 0600). */
  async set(source: string, entry: TokenEntry): Promise<void> {
    registerSecret(entry.access_token);
    registerSecret(entry.refresh_token);
    await this.update((all) => {
      all[this.athleteId] = { ...all[this.athleteId], [source]: { ...entry, updated_at: this.now().toISOString() } };
    });
  }

  /** Remove the entry for `source`. */
  async delete(source: string): Promise<void> {
    await this.update((all) => {
      const mine = all[this.athleteId];
      if (!mine) return;
      delete mine[source];
      if (Object.keys(mine).length === 0) delete all[this.athleteId];
    });
  }

  /** Remove every entry of this store's athlete; returns the sources removed. */
  async deleteAthlete(): Promise<string[]> {
    let removed: string[] = [];
    await this.update((all) => {
      removed = Object.keys(all[this.athleteId] ?? {}).sort();
      delete all[this.athleteId];
    });
    return removed;
  }

  /**
   * Rewrite a file from before athletes existed in the per-athlete shape, its
   * entries under `legacyOwner`. Nothing happens when there is no file or it
   * is already in that shape; returns whether it was rewritten.
   */
  async migrate(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new Error(`token store ${this.path}: cannot read (${(e as Error).message})`);
    }
    const parsed = this.parse(text);
    if (this.isCurrent(text)) return false;
    await this.update(() => undefined, parsed);
    return true;
  }

  /** Presence and expiry of every saved entry of this athlete, without secrets. */
  async list(): Promise<TokenSummary[]> {
    const mine = (await this.readAll())[this.athleteId] ?? {};
    const nowS = this.now().getTime() / 1000;
    return Object.keys(mine)
      .sort()
      .map((source) => {
        const e = mine[source]!;
        return {
          source,
          hasAccessToken: Boolean(e.access_token),
          hasRefreshToken: Boolean(e.refresh_token),
          expiresAt: e.expires_at != null ? new Date(e.expires_at * 1000) : null,
          expired: e.expires_at != null && e.expires_at <= nowS,
          scope: e.scope ?? null,
          updatedAt: e.updated_at ?? null,
        };
      });
  }

  private update(fn: (all: AllEntries) => void, preread?: AllEntries): Promise<void> {
    const next = this.chain.then(async () => {
      const all = preread ?? (await this.readAll());
      fn(all);
      await this.writeAll(all);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async readAll(): Promise<AllEntries> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`token store ${this.path}: cannot read (${(e as Error).message})`);
    }
    await this.fixMode();
    return this.parse(text);
  }

  /** Whether `text` is a file in the per-athlete shape. */
  private isCurrent(text: string): boolean {
    const v: unknown = JSON.parse(text);
    return isObject(v) && v.version === 2 && isObject(v.athletes);
  }

  /** Every athlete's entries from the file's text; a file of the single-athlete shape is `legacyOwner`'s. */
  private parse(text: string): AllEntries {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isObject(parsed)) throw new Error('not a JSON object');
      if (parsed.version === undefined) return Object.keys(parsed).length ? { [this.legacyOwner]: parsed as Record<string, TokenEntry> } : {};
      if (parsed.version !== 2 || !isObject(parsed.athletes)) throw new Error(`unknown version ${JSON.stringify(parsed.version)}`);
      return parsed.athletes as AllEntries;
    } catch (e) {
      // The message never quotes the file's content: it holds secrets.
      throw new Error(`token store ${this.path}: not valid JSON (${(e as Error).name}); fix or delete it and run "athlete auth" again`);
    }
  }

  // Someone may have copied the file with a permissive umask: tighten it rather than refuse.
  private async fixMode(): Promise<void> {
    const st = await stat(this.path);
    if ((st.mode & 0o077) !== 0) await chmod(this.path, 0o600);
  }

  private async writeAll(all: AllEntries): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.tokens.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    const file: TokenFile = { version: 2, athletes: all };
    try {
      await fh.writeFile(JSON.stringify(file, null, 2) + '\n', 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}
