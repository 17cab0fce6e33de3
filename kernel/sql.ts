/**
 * SQL on the project's warehouse from a notebook. The kernel reads the
 * warehouse (DATABASE_URL, the default file otherwise) read-only and lets go
 * of the file when no query has run for a few seconds, so a notebook left
 * open never keeps `make sync` waiting; the next query opens it again.
 * Queries run in the query sandbox, like `athlete sql`: they reach the
 * warehouse's tables and no file, URL, other database or extension (a query
 * built from data cannot read the token store or write files). Changing the
 * warehouse is the `athlete` command's job.
 */
import { from, type ColumnTable } from 'arquero';
import { QUERY_SANDBOX } from '../lib/core/query_sandbox.ts';
import { Warehouse, type Row, type SqlRunner } from '../lib/core/warehouse.ts';

/** Seconds without a query after which the kernel lets go of the warehouse file. */
export const IDLE_RELEASE_SECONDS = 5;

/**
 * The kernel's read-only view of the warehouse: opens the file on demand and
 * closes it once idle. Temporary tables live as long as the open file does.
 */
class KernelWarehouse implements SqlRunner {
  private opened: Promise<Warehouse> | undefined;
  private busy = 0;
  private timer: NodeJS.Timeout | undefined;

  async all<T = Row>(query: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.use((wh) => wh.all<T>(query, params));
  }

  /** Column names and rows of a query. */
  async table(query: string, params: readonly unknown[] = []): Promise<{ columns: string[]; rows: Row[] }> {
    return this.use((wh) => wh.table(query, params));
  }

  /** Run `fn` on the open warehouse; the file is not let go while it runs. */
  async use<T>(fn: (wh: Warehouse) => Promise<T>): Promise<T> {
    clearTimeout(this.timer);
    this.busy++;
    try {
      this.opened ??= Warehouse.open(process.env.DATABASE_URL, {
        readOnly: true,
        settings: { ...QUERY_SANDBOX },
        holder: 'notebook kernel',
        onWait: (message) => console.error(message),
      }).catch((err: unknown) => {
        this.opened = undefined;
        throw err;
      });
      return await fn(await this.opened);
    } finally {
      if (--this.busy === 0) {
        this.timer = setTimeout(() => void this.close(), IDLE_RELEASE_SECONDS * 1000);
        // An idle kernel must not be kept alive by this timer.
        this.timer.unref();
      }
    }
  }

  /** Close the file now; the next query opens it again. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    const wh = this.opened;
    this.opened = undefined;
    if (wh) (await wh).close();
  }
}

const kernelWarehouse = new KernelWarehouse();

/** The kernel's warehouse, read-only: pass it to `lib` functions that read the warehouse. */
export function warehouse(): Promise<KernelWarehouse> {
  return Promise.resolve(kernelWarehouse);
}

/** Run `query` (positional `?` parameters) and return its rows as plain objects. */
export async function sql<T = Row>(query: string, params: readonly unknown[] = []): Promise<T[]> {
  return kernelWarehouse.all<T>(query, params);
}

/** Run `query` and return the rows as an arquero table. */
export async function sqlFrame(query: string, params: readonly unknown[] = []): Promise<ColumnTable> {
  return from(await sql(query, params));
}

/** Close the kernel's connection now; the next query opens it again. */
export async function closeWarehouse(): Promise<void> {
  await kernelWarehouse.close();
}
