import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { createKeyvStore } from '@statewire/keyv';
import { createRateLimitStore } from '@statewire/rate-limit';
import { createSessionStore } from '@statewire/session';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import session from 'express-session';
import Keyv from 'keyv';
import type { DemoConfig } from './config.js';
import { readJson } from './http-body.js';
import { HttpError, toHttpFailure } from './http-errors.js';
import { lingerOnClose } from './lingering-close.js';
import { createSlowCache, parseN, type SlowAnswer, type SlowClaims } from './slow.js';
import type { OpenStore } from './transport.js';

declare module 'express-session' {
  interface SessionData {
    user: { name: string; loggedInBy: number; at: string };
  }
}

/** The paths the Express app answers; the demo's own router answers every other one. */
export const integrationPaths: ReadonlySet<string> = new Set([
  '/limited',
  '/login',
  '/me',
  '/logout',
  '/slow',
]);

/** The longest name `POST /login` accepts, in characters. */
export const MAX_NAME_LENGTH = 100;

/** How long a login lasts without a request, ms (the session cookie's `maxAge`). */
export const SESSION_MAX_AGE_MS = 30 * 60_000;

/** The Express app of the integrations and the stores it opened (to close them). */
export interface Integrations {
  /** Answers a request for one of {@link integrationPaths}. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Closes the stores the integrations opened; never rejects. */
  close(): Promise<void>;
}

const methodNotAllowed =
  (allow: string): RequestHandler =>
  (req) => {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`, {
      headers: { allow },
    });
  };

// The demo's error format for everything Express, its middleware or a store throws.
const sendError: ErrorRequestHandler = (error, req, res, _next) => {
  const failure = toHttpFailure(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (failure.closeConnection) {
    lingerOnClose(req.socket);
    res.set('connection', 'close');
  }
  res.status(failure.status).set(failure.headers).json(failure.body);
};

/**
 * Builds the Express app that puts the three integrations to work, each on its own
 * namespace of the shared state: `GET /limited` (express-rate-limit with
 * `@statewire/rate-limit`), `POST /login`, `GET /me`, `POST /logout` (express-session
 * with `@statewire/session`) and `GET /slow?n=…` (a Keyv cache with `@statewire/keyv`).
 * @throws Error when `config.sessionSecret` is unset (the primary always sets it)
 */
export function createIntegrations(config: DemoConfig, open: OpenStore): Integrations {
  // The primary hands every worker the same secret; a worker without it is a bug.
  const secret = config.sessionSecret;
  if (secret === undefined) throw new Error('SESSION_SECRET must be set for the workers');
  const limits = open('demo:rate-limits');
  const sessions = open('demo:sessions');
  const claims: SlowClaims = open('demo:slow-claims');
  const cacheStore = createKeyvStore({ open: (namespace) => open(`demo:cache:${namespace}`) });
  // throwOnErrors: a failing store fails the request (503) instead of reading as a miss.
  const cache = new Keyv<SlowAnswer>({ store: cacheStore, namespace: 'slow', throwOnErrors: true });
  const answer = createSlowCache({
    cache,
    claims,
    computeMs: config.slowMs,
    ttlMs: config.slowTtlMs,
  });

  const app = express();
  // Routed by exact path, as the demo's own router does.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('x-powered-by', false);
  app.set('etag', false);

  const limiter = rateLimit({
    windowMs: config.rateLimitWindowMs,
    limit: config.rateLimit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: createRateLimitStore({ store: limits, prefix: 'limited:' }),
    statusCode: 429,
    // The pid says which worker refused: the limit holds whichever worker answers.
    message: () => ({
      error: {
        code: 'RATE_LIMITED',
        message: `over ${config.rateLimit} requests in ${config.rateLimitWindowMs} ms`,
      },
      pid: process.pid,
    }),
  });
  app
    .route('/limited')
    .get(limiter, (req, res) => {
      const info = (req as typeof req & { rateLimit: { limit: number; remaining: number } })
        .rateLimit;
      res.json({ ok: true, pid: process.pid, limit: info.limit, remaining: info.remaining });
    })
    .all(methodNotAllowed('GET, HEAD'));

  const sessionMiddleware = session({
    store: createSessionStore({ store: sessions }),
    secret,
    name: 'statewire.sid',
    resave: false,
    saveUninitialized: false,
    // Each request of a session moves its cookie's expiry on, as touch() moves the stored
    // session's: without it the browser drops an active login 30 minutes after it began.
    rolling: true,
    cookie: { maxAge: SESSION_MAX_AGE_MS, httpOnly: true, sameSite: 'lax' },
  });
  app
    .route('/login')
    .post(sessionMiddleware, async (req, res) => {
      const body = (await readJson(req, config.maxBodyBytes)) as { name?: unknown } | null;
      const name = typeof body?.name === 'string' ? body.name.trim() : '';
      if (name === '' || name.length > MAX_NAME_LENGTH)
        throw new HttpError(
          400,
          'INVALID_NAME',
          `send {"name": "…"} with a name of 1 to ${MAX_NAME_LENGTH} characters`,
        );
      try {
        // A new session id at login: an id planted before it (session fixation) is worthless.
        await promisify(req.session.regenerate.bind(req.session))();
        req.session.user = { name, loggedInBy: process.pid, at: new Date().toISOString() };
        await promisify(req.session.save.bind(req.session))();
      } catch (error) {
        // express-session made the new session even though the store failed. Dropped, it
        // is neither saved again when the error answer ends (a second failure, reported to
        // no one) nor sent as a cookie for a session that was never stored.
        (req as { session?: unknown }).session = undefined;
        throw error;
      }
      res.json({ name, loggedInBy: process.pid, pid: process.pid });
    })
    .all(methodNotAllowed('POST'));
  app
    .route('/me')
    .get(sessionMiddleware, (req, res) => {
      const user = req.session.user;
      if (user === undefined) throw new HttpError(401, 'NOT_LOGGED_IN', 'log in with POST /login');
      res.json({ ...user, pid: process.pid });
    })
    .all(methodNotAllowed('GET, HEAD'));
  app
    .route('/logout')
    .post(sessionMiddleware, async (req, res) => {
      const wasLoggedIn = req.session.user !== undefined;
      await promisify(req.session.destroy.bind(req.session))();
      res.clearCookie('statewire.sid');
      res.json({ loggedOut: wasLoggedIn, pid: process.pid });
    })
    .all(methodNotAllowed('POST'));

  app
    .route('/slow')
    .get(async (req, res) => {
      const raw = req.query.n;
      const result = await answer(parseN(typeof raw === 'string' ? raw : undefined));
      res.set('x-cache', result.cached ? 'HIT' : 'MISS').json({ ...result, pid: process.pid });
    })
    .all(methodNotAllowed('GET, HEAD'));

  app.use(sendError);

  return {
    handle: app,
    async close() {
      await Promise.allSettled([
        cache.disconnect(),
        limits.close(),
        sessions.close(),
        claims.close(),
      ]);
    },
  };
}
