/**
 * VeSync (Etekcity smart scales). There is no public API: this follows the
 * VeSync app's cloud as client libraries have reverse-engineered it. Weigh-ins
 * go to map.ts as fetched.
 *
 * Assumptions (not documented by VeSync):
 * - login answers `{code: 0, result: {token, accountID}}` (older answers put them at the top level);
 * - scales are the devices whose `deviceType` starts with "ESF" or whose type or module names a scale;
 * - `fatScale/getWeighData` takes `startTime`/`endTime` in epoch seconds, `pageSize` and an `index`
 *   offset, and answers `{code: 0, result: {data: [{weigh_kg, timestamp, bodyFat?, ...}]}}`
 *   (newer answers use `weightDatas` with `weightG` in grams);
 * - a weight of 0 is a placeholder, never a reading.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { emptyResult, type SourceWorkoutInput } from '../../core/models.ts';
import { inRange, itemError, parseRaw, type ApiSettings, type BaseConnector, type DateRange, type FetchOptions, type Page } from '../base.ts';
import { AuthError, HttpClient, type AuthProvider } from '../http/http.ts';
import { chain, offsets, type ChainPart } from '../http/paginate.ts';
import { registerSecret } from '../../core/redact.ts';
import { tokenStoreFor } from '../http/token_store.ts';
import { SOURCE } from './index.ts';
import { apiOrigin, placeTimestamp, VesyncWeighIn, weighInReadings } from './map.ts';

/** Settings of the VeSync connector. */
export interface VesyncSettings extends Omit<ApiSettings, 'clientId' | 'clientSecret' | 'scopes' | 'redirectPort' | 'authBaseUrl'> {
  email?: string;
  password?: string;
  /** IANA zone of the athlete, for local days. */
  timeZone?: string;
  pageSize?: number;
}

const APP = { acceptLanguage: 'en', appVersion: '2.8.6', phoneBrand: 'SM N9005', phoneOS: 'Android', userType: '1' };

const Envelope = z.looseObject({ code: z.number(), msg: z.string().nullish(), result: z.unknown().optional() });
const Login = z.looseObject({ token: z.string().min(1), accountID: z.union([z.string(), z.number()]) });
const Device = z.looseObject({ deviceType: z.string().nullish(), type: z.string().nullish(), configModule: z.string().nullish(), cid: z.string().nullish(), deviceName: z.string().nullish() });

/** The password as the VeSync app sends it: its MD5, in hex. */
function passwordHash(password: string): string {
  return createHash('md5').update(password).digest('hex');
}

/** The VeSync connector (biometrics only). */
export class VesyncConnector implements BaseConnector, AuthProvider {
  readonly source = SOURCE;
  private readonly http: HttpClient;

  constructor(readonly settings: VesyncSettings) {
    registerSecret(settings.password);
    // The login sends the password's MD5, which a refusal may echo back.
    if (settings.password) registerSecret(passwordHash(settings.password));
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: settings.baseUrl, rateLimit: 'standard', auth: this });
  }

  isConfigured(): boolean {
    return Boolean(this.settings.email && this.settings.password) || this.settings.tokenStore.has(SOURCE);
  }

  async authenticate(): Promise<void> {
    const e = await this.settings.tokenStore.get(SOURCE);
    if (!e?.access_token) await this.login();
  }

  /** VeSync's `tk`/`accountid` headers. */
  async headers(): Promise<Record<string, string>> {
    const s = await this.session();
    return { tk: s.token, accountid: s.accountID };
  }

  async onUnauthorized(): Promise<boolean> {
    if (!this.settings.email || !this.settings.password) return false;
    await this.login();
    return true;
  }

  /** POST /cloud/v1/user/login with the MD5 of the password; the token is saved to the store. */
  async login(): Promise<void> {
    const { email, password } = this.settings;
    if (!email || !password) throw new AuthError(SOURCE, 'set VESYNC_EMAIL and VESYNC_PASSWORD');
    const res = await this.http.json('/cloud/v1/user/login', {
      method: 'POST',
      auth: false,
      json: {
        ...APP,
        email,
        password: passwordHash(password),
        timeZone: this.settings.timeZone ?? 'UTC',
        traceId: String(Date.now()),
        method: 'login',
        devToken: '',
      },
    });
    const env = parseRaw(Envelope, res.data, 'vesync login');
    if (env.code !== 0) throw new AuthError(SOURCE, `login refused (code ${env.code}${env.msg ? `: ${env.msg}` : ''})`);
    const l = Login.safeParse(env.result ?? res.data);
    if (!l.success) throw new AuthError(SOURCE, 'login answer has no token/accountID');
    registerSecret(l.data.token);
    await this.settings.tokenStore.set(SOURCE, { access_token: l.data.token, extra: { account_id: String(l.data.accountID) } });
  }

  private async session(): Promise<{ token: string; accountID: string }> {
    let e = await this.settings.tokenStore.get(SOURCE);
    if (!e?.access_token) {
      await this.login();
      e = await this.settings.tokenStore.get(SOURCE);
    }
    return { token: e!.access_token!, accountID: e!.extra?.account_id ?? '' };
  }

  /** POST a cloud method; a non-zero `code` after one re-login is an error. */
  private async call(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const s = await this.session();
      const res = await this.http.json(path, { method: 'POST', json: { ...APP, timeZone: this.settings.timeZone ?? 'UTC', traceId: String(Date.now()), token: s.token, accountID: s.accountID, ...body }, signal });
      const env = parseRaw(Envelope, res.data, `vesync ${path}`);
      if (env.code === 0) return env.result;
      // The cloud reports an expired token in `code` with HTTP 200.
      if (attempt === 0 && this.settings.email && this.settings.password) {
        this.settings.http?.log?.(`vesync: ${path} answered code ${env.code}; logging in again`);
        await this.login();
        continue;
      }
      throw new Error(`vesync: ${path} answered code ${env.code}${env.msg ? ` (${env.msg})` : ''}`);
    }
  }

  transformWorkout(_raw: unknown): SourceWorkoutInput {
    throw new Error('vesync: scales record no workouts');
  }

  async *fetchWorkouts(_range: DateRange, _opts: FetchOptions = {}): AsyncIterable<Page> {
    yield { result: emptyResult(), cursor: null };
  }

  /** Weigh-ins of every scale on the account, one scale after another. */
  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const list = await this.call('/cloud/v1/deviceManaged/devices', { method: 'devices', pageNo: 1, pageSize: 100 }, opts.signal);
    const devices = z.array(Device).catch([]).parse((list as { list?: unknown } | null)?.list ?? []);
    const scales = devices.filter((d) => /^ESF/i.test(d.deviceType ?? '') || /scale/i.test(`${d.type ?? ''} ${d.configModule ?? ''}`));
    const path = '/cloud/v1/deviceManaged/fatScale/getWeighData';
    const input = this.http.urlOf(path);
    const limit = this.settings.pageSize ?? 100;
    const parts: ChainPart<ReturnType<typeof emptyResult>>[] = scales.map((d, n) => ({
      key: d.cid ?? `scale${n}`,
      run: async function* (this: VesyncConnector, cursor: string | null) {
        const pages = offsets(
          async (index, pageSize) => {
            const r = (await this.call(
              path,
              {
                method: 'getWeighData',
                configModule: d.configModule ?? '',
                cid: d.cid ?? '',
                startTime: Math.floor(range.start.getTime() / 1000),
                endTime: Math.ceil(range.end.getTime() / 1000),
                pageSize,
                order: 'asc',
                index,
                flag: 1,
              },
              opts.signal,
            )) as { data?: unknown; weightDatas?: unknown } | null;
            const items = r?.data ?? r?.weightDatas ?? [];
            if (!Array.isArray(items)) throw new Error(`vesync: ${path} gave no list of weigh-ins`);
            return items as unknown[];
          },
          limit,
          cursor,
        );
        for await (const b of pages) {
          const out = emptyResult();
          for (const [i, raw] of b.items.entries()) {
            try {
              const w = parseRaw(VesyncWeighIn, raw, 'vesync weigh-in');
              const at = placeTimestamp(w.timestamp, this.settings.timeZone ?? 'UTC');
              if (!inRange(at.time, range)) continue;
              for (const x of weighInReadings(w, at, apiOrigin(raw))) out.biometrics.push({ ...x, input });
            } catch (e) {
              const ts = raw && typeof raw === 'object' ? (raw as { timestamp?: unknown }).timestamp : undefined;
              out.errors.push(itemError(input, ts != null ? `weigh-in at ${String(ts)}` : `item ${i}`, e));
            }
          }
          yield { page: out, cursor: b.cursor };
        }
      }.bind(this),
    }));
    if (parts.length === 0) {
      yield { result: { ...emptyResult(), errors: [{ input: this.http.urlOf('/cloud/v1/deviceManaged/devices'), reason: 'vesync: no scale on this account' }] }, cursor: null };
      return;
    }
    for await (const { page, cursor } of chain(parts, opts.cursor)) yield { result: page, cursor };
  }
}

/** A VeSync connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<VesyncSettings> = {}): VesyncConnector {
  return new VesyncConnector({
    baseUrl: env.VESYNC_BASE_URL || 'https://smartapi.vesync.com',
    email: env.VESYNC_EMAIL || undefined,
    password: env.VESYNC_PASSWORD || undefined,
    timeZone: env.VESYNC_TIME_ZONE || 'UTC',
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
