/** A tiny programmable HTTP server on 127.0.0.1 (port 0) for connector tests. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a route answers: JSON `body`, or `raw` text sent as is. */
export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string | Buffer;
}

/** A running fake. */
export interface Fake {
  url: string;
  requests: FakeRequest[];
  /** Answers to give before the routes, one per matching request (failure injection). */
  inject(match: (r: FakeRequest) => boolean, res: FakeResponse, times?: number): void;
  close(): Promise<void>;
}

/** Start a fake server whose `handle` answers every request not taken by an injection. */
export async function startFake(handle: (r: FakeRequest) => FakeResponse | Promise<FakeResponse>): Promise<Fake> {
  const requests: FakeRequest[] = [];
  const injections: Array<{ match: (r: FakeRequest) => boolean; res: FakeResponse; left: number }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const u = new URL(req.url ?? '/', 'http://127.0.0.1');
        const fr: FakeRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        requests.push(fr);
        const inj = injections.find((i) => i.left > 0 && i.match(fr));
        let out: FakeResponse;
        if (inj) {
          inj.left -= 1;
          out = inj.res;
        } else {
          try {
            out = await handle(fr);
          } catch (e) {
            out = { status: 500, body: { message: (e as Error).message } };
          }
        }
        const payload = out.raw ?? (out.body === undefined ? '' : JSON.stringify(out.body));
        res.writeHead(out.status ?? 200, { 'Content-Type': 'application/json', ...(out.headers ?? {}) });
        res.end(payload);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(match, res, times = 1) {
      injections.push({ match, res, left: times });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The form fields of a urlencoded request body. */
export function formOf(r: FakeRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(r.body));
}
