// Cloudflare Workers entry: the same app as on Node, built per request around one Postgres client
// (Hyperdrive pools the real connections). Slow work (the interaction log, Slack's after-ack work)
// runs in waitUntil; the knowledge index and the intent classifier are built once per isolate.
import type { UserFromGetMe } from 'grammy/types';
import type { ExecutionContext } from 'hono';
import { createPollLimiter } from '../adapters/web/routes.ts';
import { ConfigError, parseConfig } from './config.ts';
import {
  type AddressLimiter,
  bindingAddressLimiter,
  createRateLimiter,
  memoryAddressLimiter,
  type RateLimitBinding,
  type RateLimiter,
} from './core/rate-limit.ts';
import { createTaughtCache, type TaughtCache } from './core/taught-cache.ts';
import { createUnderstand, type Understand } from './core/understanding/understand.ts';
import { connectPostgres } from './db/connect.ts';
import { createPseudonyms, type Pseudonyms } from './db/pseudonym.ts';
import { createTaughtStore } from './db/taught.ts';
import { workerAddressOf } from './http/client-address.ts';
import { knowledgeBase } from './knowledge/content.generated.ts';
import { type ClientLimits, consoleLogger, createClientLimits, loadSlack, wireApp } from './wire.ts';

export interface Env {
  /** Hyperdrive binding (wrangler.toml); DATABASE_URL also works for local runs. */
  HYPERDRIVE?: { connectionString: string };
  /** Cloudflare's rate-limiting binding (wrangler.toml): the limit per client address, across isolates. */
  IP_RATE_LIMITER?: RateLimitBinding;
  [name: string]: unknown;
}

let understand: Understand | undefined;
let rateLimiter: RateLimiter | undefined;
/** Unanswered questions in a row per conversation, for offering a person (per isolate). */
let misses: Map<string, number> | undefined;
let pollLimiter: RateLimiter | undefined;
let addresses: AddressLimiter | undefined;
let clientLimits: ClientLimits | undefined;
let pseudonyms: Pseudonyms | undefined;
/** What staff taught: the counter checked at most every 30 s per isolate, entries loaded when it changed. */
let taught: TaughtCache | undefined;

/** What a misconfigured Worker answers: nothing of its configuration (the log has the problem). */
const unavailable = () =>
  new Response('Service Unavailable', { status: 503, headers: { 'content-type': 'text/plain' } });
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const arrivedAt = Date.now();
    const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
    let config: ReturnType<typeof parseConfig>;
    try {
      config = parseConfig(vars);
    } catch (error) {
      // The problems go to the log (wrangler tail), never to whoever is asking.
      console.error(error instanceof ConfigError ? error.message : `invalid configuration: ${String(error)}`);
      return unavailable();
    }
    const url = env.HYPERDRIVE?.connectionString ?? config.DATABASE_URL;
    if (!url) {
      // No embedded database on Workers: say so clearly.
      const error = 'no database: bind Hyperdrive as HYPERDRIVE (wrangler.toml) or set DATABASE_URL';
      console.error(error);
      return json(503, { ok: false, database: 'none', error });
    }

    if (!config.PSEUDONYM_KEY) {
      // No file system to keep a generated key in: it is a secret of its own.
      console.error('PSEUDONYM_KEY is not set: `wrangler secret put PSEUDONYM_KEY` (32+ characters)');
      return unavailable();
    }
    pseudonyms ??= createPseudonyms(config.PSEUDONYM_KEY);
    understand ??= createUnderstand(knowledgeBase);
    rateLimiter ??= createRateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE });
    misses ??= new Map();
    pollLimiter ??= createPollLimiter();
    clientLimits ??= createClientLimits(config);
    // Without the binding (an older wrangler.toml), the limit holds per isolate only.
    addresses ??= env.IP_RATE_LIMITER
      ? bindingAddressLimiter(env.IP_RATE_LIMITER)
      : memoryAddressLimiter(config.RATE_LIMIT_PER_IP_PER_MINUTE);
    const handle = await connectPostgres(url, { max: 1, prepare: config.DATABASE_PREPARED_STATEMENTS });
    taught ??= createTaughtCache(knowledgeBase);
    await taught.refresh(createTaughtStore(handle.db)).catch((error: unknown) => {
      console.error('taught entries: reload failed', error);
    });
    const pending: Promise<unknown>[] = [];
    const botInfo = config.TELEGRAM_BOT_INFO as UserFromGetMe | undefined;
    const slack = await loadSlack(config);
    const { app, log, ledger } = wireApp({
      config,
      ...(slack ? { slack } : {}),
      db: handle.db,
      databaseKind: 'pg',
      logger: consoleLogger,
      log: { intervalMs: 0 },
      understand,
      rateLimiter,
      misses,
      pollLimiter,
      addressOf: workerAddressOf,
      addresses,
      clientLimits,
      pseudonyms,
      taught: () => taught?.get(),
      // WeChat's 5 s run from here, before the database was reached.
      wechat: { arrivedAt },
      // A change made here is used by this isolate at once; the others see it within 30 s.
      taughtChanged: () => taught?.refresh(createTaughtStore(handle.db), true) ?? Promise.resolve(),
      telegram: { webhook: true, ...(botInfo ? { botInfo } : {}) },
      waitUntil: (_c, work) => pending.push(work),
    });
    const response = await app.fetch(request, env, ctx);
    ctx.waitUntil(
      (async () => {
        await Promise.allSettled(pending);
        await Promise.all([log.close(5_000), ledger.close(5_000)]);
        await handle.close();
      })(),
    );
    return response;
  },
};
