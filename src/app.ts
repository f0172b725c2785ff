import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { createWebChat } from '../adapters/web/routes.ts';
import type { Assistant } from './core/assistant.ts';
import type { Handoffs } from './core/handoff.ts';
import type { AddressLimiter, RateLimiter } from './core/rate-limit.ts';
import { HttpError } from './errors.ts';
import type { AddressOf } from './http/client-address.ts';

export interface Health {
  ok: boolean;
  database: string;
  error?: string;
  /** Each channel's state: `web`, `telegram` (polling | webhook | unreachable | conflict | off), `slack`. */
  channels?: Record<string, string>;
}

export interface AppDeps {
  assistant: Assistant;
  /** Handed-over conversations: the web page polls staff replies. */
  handoffs?: Handoffs;
  /** How often a user may poll for them (Workers: one per isolate, kept across requests). */
  polls?: RateLimiter;
  /** The client's address, and the limit per address in front of the web chat. */
  addressOf?: AddressOf;
  addresses?: AddressLimiter;
  health: () => Promise<Health>;
  /** More routes (platform adapters: Telegram, Slack). */
  routes?: Array<(app: Hono) => void>;
  onError?: (error: unknown) => void;
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  // Every response: no MIME sniffing, no referrer, not framed (the page adds its own CSP).
  app.use('*', secureHeaders({ referrerPolicy: 'no-referrer', xFrameOptions: 'DENY' }));

  app.get('/healthz', async (c) => {
    const health = await deps.health();
    return c.json({ ...health, knowledgeEntries: deps.assistant.entries.length }, health.ok ? 200 : 503);
  });
  app.route(
    '/',
    createWebChat({
      assistant: deps.assistant,
      ...(deps.handoffs ? { handoffs: deps.handoffs } : {}),
      ...(deps.polls ? { polls: deps.polls } : {}),
      ...(deps.addressOf ? { addressOf: deps.addressOf } : {}),
      ...(deps.addresses ? { addresses: deps.addresses } : {}),
    }),
  );
  for (const mount of deps.routes ?? []) mount(app);

  app.notFound((c) => c.json({ error: `not found: ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.message }, error.status);
    if (error instanceof HTTPException)
      return c.json({ error: error.message || 'bad request' }, error.status);
    deps.onError?.(error);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
