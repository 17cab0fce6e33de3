/**
 * OAuth tokens on disk: one JSON file outside the warehouse, owner-only
 * (0600), written atomically so a crash mid-write never loses a rotated
 * refresh token.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { registerSecret } from '../../core/redact.ts';

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
  return env.TOKEN_STORE_PATH || join(homedir(), '.config', 'athlete-performance', 'tokens.json');
}

/** Per-source token entries in one owner-only JSON file. */
export class TokenStore {
  /** Where the file lives. */
  readonly path: string;
  private readonly now: () => Date;
  // Serialises writes from concurrent refreshes in one process.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(path: string, opts: { now?: () => Date } = {}) {
    this.path = path;
    this.now = opts.now ?? (() => new Date());
  }

  /** The saved entry for `source`, or null. */
  async get(source: string): Promise<TokenEntry | null> {
    const all = await this.readAll();
    const e = all[source];
    if (!e) return null;
    registerSecret(e.access_token);
    registerSecret(e.refresh_token);
    for (const v of Object.values(e.extra ?? {})) registerSecret(v);
    return e;
  }

  /** Whether an entry for `source` exists (synchronous, for `isConfigured`); false when the file is unreadable. */
  has(source: string): boolean {
    try {
      const all = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, TokenEntry>;
      return Boolean(all[source]?.access_token || all[source]?.refresh_token);
    } catch {
      return false;
    }
  }

  /** Replace the entry for `source` (atomic write, mode 0600). */
  async set(source: string, entry: TokenEntry): Promise<void> {
    registerSecret(entry.access_token);
    registerSecret(entry.refresh_token);
    await this.update((all) => {
      all[source] = { ...entry, updated_at: this.now().toISOString() };
    });
  }

  /** Remove the entry for `source`. */
  async delete(source: string): Promise<void> {
    await this.update((all) => {
      delete all[source];
    });
  }

  /** Presence and expiry of every saved entry, without secrets. */
  async list(): Promise<TokenSummary[]> {
    const all = await this.readAll();
    const nowS = this.now().getTime() / 1000;
    return Object.keys(all)
      .sort()
      .map((source) => {
        const e = all[source]!;
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

  private update(fn: (all: Record<string, TokenEntry>) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const all = await this.readAll();
      fn(all);
      await this.writeAll(all);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async readAll(): Promise<Record<string, TokenEntry>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`token store ${this.path}: cannot read (${(e as Error).message})`);
    }
    await this.fixMode();
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      return parsed as Record<string, TokenEntry>;
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

  private async writeAll(all: Record<string, TokenEntry>): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.tokens.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(all, null, 2) + '\n', 'utf8');
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
