/** What a service folder's `index.ts` declares: the service's name, settings, export formats and API. */
import type { SourcePrecedence } from '../core/dedup/precedence.ts';
import type { BaseConnector, EnvVar } from './base.ts';

/** Environment variables, as `loadEnv` returns them. */
export type Env = Record<string, string | undefined>;

/** A service's API module, loaded only when a command needs it. */
export interface ApiModule {
  fromEnv(env: Env): BaseConnector;
}

/** One service: everything the rest of the program needs to know without loading its code. */
export interface SourceDescriptor {
  /** The name stored in every row it supplies. */
  readonly source: string;
  /** Its name for people. */
  readonly title: string;
  /** The environment keys it reads (drives `.env.example`). */
  readonly envVars: readonly EnvVar[];
  /** The import formats (`ingest/detect.ts`) its export files are recognised as. */
  readonly exportFormats: readonly string[];
  /** Its rank when merging workouts and biometrics (`core/dedup`). */
  readonly precedence: SourcePrecedence;
  /** Loads its API connector, when it has a web API. */
  readonly api?: () => Promise<ApiModule>;
}
