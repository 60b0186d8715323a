import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '@statewire/core';
import { HttpError, toHttpFailure } from './http-errors.js';
import { renderPage } from './page.js';
import type { DemoState } from './transport.js';

/** What the HTTP handlers need besides the request. */
export interface AppContext {
  store: Store<DemoState>;
  transport: string;
  maxBodyBytes: number;
  /** Pids of the workers alive, as last told by the primary. */
  workers: () => number[];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is read to its end but not kept, so the client gets a clean 413
  // instead of a reset connection.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes)
    throw new HttpError(413, 'BODY_TOO_LARGE', `request body is over ${maxBytes} bytes`);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON');
  }
}

function kvKey(path: string): `kv:${string}` {
  let key: string;
  try {
    key = decodeURIComponent(path.slice('/kv/'.length));
  } catch {
    throw new HttpError(400, 'INVALID_KEY', 'key is not valid percent-encoding');
  }
  if (key === '') throw new HttpError(400, 'INVALID_KEY', 'key must not be empty');
  return `kv:${key}`;
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  context: AppContext,
): Promise<void> {
  const { store } = context;
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const method = req.method ?? 'GET';
  if (path === '/hits') {
    if (method === 'POST')
      return send(res, 200, { hits: await store.increment('hits'), pid: process.pid });
    if (method === 'GET') return send(res, 200, { hits: (await store.get('hits')) ?? 0 });
  } else if (path.startsWith('/kv/')) {
    const key = kvKey(path);
    if (method === 'GET') {
      const value = await store.get(key);
      if (value === undefined) throw new HttpError(404, 'NOT_FOUND', 'no value under this key');
      return send(res, 200, { value });
    }
    if (method === 'PUT') {
      const body = await readJson(req, context.maxBodyBytes);
      await store.set(key, body);
      return send(res, 200, { ok: true });
    }
    if (method === 'DELETE') {
      if (!(await store.delete(key)))
        throw new HttpError(404, 'NOT_FOUND', 'no value under this key');
      return send(res, 200, { deleted: true });
    }
  } else if (path === '/health' && method === 'GET') {
    return send(res, 200, {
      transport: context.transport,
      workers: context.workers().length,
      pid: process.pid,
    });
  } else if (path === '/' && method === 'GET') {
    const html = renderPage({
      transport: context.transport,
      pid: process.pid,
      workers: context.workers(),
      hits: (await store.get('hits')) ?? 0,
    });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
    });
    res.end(html);
    return;
  } else {
    throw new HttpError(404, 'NOT_FOUND', `no route for ${method} ${path}`);
  }
  throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
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
      send(res, failure.status, failure.body);
    });
  };
}
