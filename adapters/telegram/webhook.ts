// POST /telegram/webhook: the checks before grammY sees an update, and what grammY's Hono adapter
// needs undone.
import { type Bot, webhookCallback } from 'grammy';
import type { Hono } from 'hono';
import { limitBody } from '../../src/http/body-limit.ts';

export function mountWebhook(
  app: Hono,
  bot: Bot,
  options: {
    secretToken: string | undefined;
    report: (error: unknown, context: string) => void;
  },
) {
  const { secretToken } = options;
  const handle = webhookCallback(bot, 'hono', {
    ...(secretToken ? { secretToken } : {}),
    onTimeout: 'return',
    timeoutMilliseconds: 8_000,
  });
  // Telegram updates are small; anything near a megabyte is not one.
  app.post('/telegram/webhook', limitBody(1024 * 1024), async (c) => {
    if (secretToken && !sameSecret(c.req.header('x-telegram-bot-api-secret-token'), secretToken)) {
      return c.json({ error: 'wrong or missing secret token' }, 401);
    }
    let update: unknown;
    try {
      update = await c.req.json();
    } catch {
      return c.json({ error: 'request body must be JSON' }, 400);
    }
    if (
      typeof update !== 'object' ||
      update === null ||
      typeof (update as { update_id?: unknown }).update_id !== 'number'
    ) {
      return c.json({ error: 'not a Telegram update: update_id is missing' }, 400);
    }
    try {
      const response = await handle(c);
      return await unwrapWebhookReply(response);
    } catch (error) {
      // grammY passes handler errors up in webhook mode; a 500 would make Telegram retry the
      // same update forever. Log it and acknowledge.
      options.report(error, `handling Telegram update ${(update as { update_id: number }).update_id}`);
      return c.body(null, 200);
    }
  });
}

/**
 * grammY hands the Hono adapter a webhook reply already serialised, and the adapter's c.json()
 * serialises it again (a JSON string, which Telegram would ignore). Send the method call as is.
 */
async function unwrapWebhookReply(response: Response): Promise<Response> {
  if (!response.headers.get('content-type')?.includes('application/json')) return response;
  const body = await response.text();
  let inner: unknown;
  try {
    inner = JSON.parse(body);
  } catch {
    return new Response(body, response);
  }
  return typeof inner === 'string'
    ? new Response(inner, { status: response.status, headers: { 'content-type': 'application/json' } })
    : new Response(body, response);
}

/** Compares secrets in time that does not depend on where they differ. */
function sameSecret(given: string | undefined, expected: string): boolean {
  const a = new TextEncoder().encode(given ?? '');
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
