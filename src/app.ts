import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Assistant } from './core/assistant.ts';
import { HttpError } from './errors.ts';

export interface Health {
  ok: boolean;
  database: string;
  error?: string;
  /** Each channel's state: `web`, `telegram` (polling | webhook | unreachable | conflict | off), `slack`, … */
  channels?: Record<string, string>;
}

export interface AppDeps {
  assistant: Assistant;
  health: () => Promise<Health>;
  /** The channels' routes (the web chat, Telegram, …) and Slack's. */
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
