import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '@statewire/core';
import { etagOf, evaluate, expectedVersion, readPreconditions } from './conditional.js';
import { readJson } from './http-body.js';
import { HttpError, toHttpFailure } from './http-errors.js';
import { integrationPaths } from './integrations.js';
import { lingerOnClose } from './lingering-close.js';
import { renderPage } from './page.js';
import type { ClusterStats } from './stats.js';
import { checkStore } from './store-check.js';
import type { DemoState } from './transport.js';

/** What the HTTP handlers need besides the request. */
export interface AppContext {
  store: Store<DemoState>;
  transport: string;
  maxBodyBytes: number;
  /** The workers alive and the request rate, as last told by the primary. */
  stats: () => ClusterStats;
  /** Called once per request the page counts (all but its own `/stats` polls). */
  countRequest: () => void;
  /** Answers the paths of `integrationPaths` (the Express app of the integrations). */
  integrations?: (req: IncomingMessage, res: ServerResponse) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse, context: AppContext) => Promise<void>;

interface Route {
  /** Matches a path exactly, or every path under a prefix ending in `/`. */
  path: string;
  methods: Partial<Record<string, Handler>>;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function kvKey(req: IncomingMessage): `kv:${string}` {
  let key: string;
  try {
    key = decodeURIComponent(requestPath(req).slice('/kv/'.length));
  } catch {
    throw new HttpError(400, 'INVALID_KEY', 'key is not valid percent-encoding');
  }
  if (key === '') throw new HttpError(400, 'INVALID_KEY', 'key must not be empty');
  return `kv:${key}`;
}

const notFound = () => new HttpError(404, 'NOT_FOUND', 'no value under this key');

const hits = async (store: Store<DemoState>) => (await store.get('hits')) ?? 0;

const routes: Route[] = [
  {
    path: '/',
    methods: {
      GET: async (_req, res, { store, transport, stats }) => {
        const html = renderPage({
          transport,
          pid: process.pid,
          hits: await hits(store),
          ...stats(),
        });
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': Buffer.byteLength(html),
        });
        res.end(html);
      },
    },
  },
  {
    path: '/hits',
    methods: {
      GET: async (_req, res, { store }) => send(res, 200, { hits: await hits(store) }),
      POST: async (req, res, { store }) => {
        const count = await store.increment('hits');
        // `?close`: the page's burst asks for a new connection per request, so that the
        // cluster hands each one to the next worker instead of reusing one keep-alive.
        const close = new URLSearchParams(requestQuery(req)).has('close');
        send(res, 200, { hits: count, pid: process.pid }, close ? { connection: 'close' } : {});
      },
    },
  },
  {
    path: '/stats',
    methods: {
      GET: async (_req, res, { store, stats }) =>
        send(res, 200, { hits: await hits(store), pid: process.pid, ...stats() }),
    },
  },
  {
    path: '/health',
    methods: {
      GET: async (_req, res, { store, transport, stats }) => {
        const problem = await checkStore(store);
        const body = { transport, workers: stats().workers.length, pid: process.pid };
        if (problem === undefined) send(res, 200, { status: 'ok', ...body });
        else send(res, 503, { status: 'unavailable', reason: problem, ...body });
      },
    },
  },
  {
    path: '/kv/',
    methods: {
      GET: async (req, res, { store }) => {
        const key = kvKey(req);
        const preconditions = readPreconditions(req);
        if (!store.capabilities.versions) {
          const value = await store.get(key);
          if (value === undefined) throw notFound();
          send(res, 200, { value });
          return;
        }
        const entry = await store.getEntry(key);
        const outcome = evaluate(preconditions, entry?.version, true);
        if (entry === undefined) throw notFound();
        const etag = etagOf(entry.version);
        if (outcome === 'not-modified') {
          res.writeHead(304, { etag });
          res.end();
          return;
        }
        send(res, 200, { value: entry.value }, { etag });
      },
      PUT: async (req, res, { store, maxBodyBytes }) => {
        const key = kvKey(req);
        const preconditions = readPreconditions(req);
        const value = await readJson(req, maxBodyBytes);
        const ifVersion = await expectedVersion(store, key, preconditions);
        await store.set(key, value, ifVersion === undefined ? {} : { ifVersion });
        send(res, 200, { ok: true });
      },
      DELETE: async (req, res, { store }) => {
        const key = kvKey(req);
        const ifVersion = await expectedVersion(store, key, readPreconditions(req));
        if (!(await store.delete(key, ifVersion === undefined ? {} : { ifVersion }))) {
          throw notFound();
        }
        send(res, 200, { deleted: true });
      },
    },
  },
];

/**
 * The path of the request target, read as a path: `//hits` is the path `//hits`, not a
 * protocol-relative URL of the host `hits` (which `new URL(target, base)` would make of
 * it). An absolute-form target (`http://host/path`, which proxies send) gives its path.
 * @throws HttpError 400 for any other form (`*`, no leading slash)
 */
export function requestPath(req: IncomingMessage): string {
  const target = req.url ?? '';
  if (target.startsWith('/')) return target.split(/[?#]/, 1)[0] as string;
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target).pathname;
    } catch {
      // falls through to the 400
    }
  }
  throw new HttpError(400, 'BAD_REQUEST_TARGET', 'the request target is not a path');
}

function requestQuery(req: IncomingMessage): string {
  const target = req.url ?? '';
  const at = target.indexOf('?');
  return at === -1 ? '' : (target.slice(at + 1).split('#', 1)[0] as string);
}

function findRoute(path: string): Route | undefined {
  return routes.find((route) =>
    route.path.endsWith('/') && route.path !== '/'
      ? path.startsWith(route.path)
      : path === route.path,
  );
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  context: AppContext,
): Promise<void> {
  const path = requestPath(req);
  if (path !== '/stats') context.countRequest();
  if (context.integrations !== undefined && integrationPaths.has(path)) {
    // Express answers these and maps its own failures to the same JSON errors.
    context.integrations(req, res);
    return;
  }
  const found = findRoute(path);
  const method = req.method ?? 'GET';
  if (found === undefined) throw new HttpError(404, 'NOT_FOUND', `no route for ${method} ${path}`);
  // HEAD is GET without a body: Node's response drops the body of a HEAD by itself and
  // keeps the headers, content-length included.
  const handler = found.methods[method === 'HEAD' ? 'GET' : method];
  if (handler === undefined) {
    const allowed = Object.keys(found.methods);
    if (allowed.includes('GET')) allowed.splice(allowed.indexOf('GET') + 1, 0, 'HEAD');
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, {
      headers: { allow: allowed.join(', ') },
    });
  }
  await handler(req, res, context);
}

/**
 * The demo's request handler. Every failure becomes a JSON error response; nothing a
 * client sends can crash the worker.
 */
export function createHandler(
  context: AppContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(req, res, context).catch((error: unknown) => {
      const failure = toHttpFailure(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Node closes the socket once a `connection: close` response is written, without
      // reading what is left of the request.
      if (failure.closeConnection) lingerOnClose(req.socket);
      const headers = failure.closeConnection
        ? { ...failure.headers, connection: 'close' }
        : failure.headers;
      send(res, failure.status, failure.body, headers);
    });
  };
}
