// POST /telegram/webhook: the checks before grammY sees an update, then the update itself.
//
// grammY's webhookCallback is not used. Its Hono adapter builds, for every update, an object
// literal with a getter that closes over the request; V8 allocates such an accessor in the old
// generation, and from there it keeps the whole request (Hono's context, grammY's context and API
// client) alive through every young-generation collection until the next full one. In
// `npm run bench` that promoted about 5 KB per update and set off a full collection every few
// seconds. It also re-checked the secret, re-parsed the body and serialised webhook replies twice.
import type { Bot } from 'grammy';
import type { Context, Hono } from 'hono';
import { limitBody } from '../../src/http/body-limit.ts';
import { withTimeout } from '../../src/lib/timeout.ts';

export function mountWebhook(
  app: Hono,
  bot: Bot,
  options: {
    secretToken: string | undefined;
    report: (error: unknown, context: string) => void;
    /** How long the response waits for the update to be handled; then it is sent (the turn goes on). */
    respondWithinMs?: number;
    /** Keeps a turn that outlives its response going (Workers: waitUntil; Node: awaited at shutdown). */
    waitUntil?: (c: Context, work: Promise<unknown>) => void;
  },
) {
  const { secretToken, report, respondWithinMs = 8_000 } = options;
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
    const id = (update as { update_id: number }).update_id;
    if (!bot.isInited()) {
      try {
        // grammY retries getMe while the Bot API is down; the request does not wait for ever.
        await bot.init(AbortSignal.timeout(respondWithinMs) as Parameters<Bot['init']>[0]);
      } catch (error) {
        // Without the bot's identity no update can be handled: Telegram delivers it again later.
        report(error, 'getting the bot’s identity (getMe)');
        return c.json({ error: 'the bot is not ready; the update will be delivered again' }, 503);
      }
    }
    // One Bot API call of the update may ride on the response (grammY asks canUseWebhookReply).
    // It arrives already serialised; once the response is gone, calls go to the Bot API again.
    let reply: string | undefined;
    const envelope: { send?: (json: string) => Promise<void> } = {
      send: async (json) => {
        reply = json;
      },
    };
    const handled = bot
      .handleUpdate(update as Parameters<Bot['handleUpdate']>[0], envelope)
      .catch((error: unknown) => {
        // A 500 would make Telegram deliver the same update again and again: log it, acknowledge.
        report(error, `handling Telegram update ${id}`);
      });
    const finished = await withTimeout(
      handled.then(() => true),
      respondWithinMs,
    );
    envelope.send = undefined;
    if (!finished) options.waitUntil?.(c, handled);
    return reply === undefined
      ? c.body(null, 200)
      : c.body(reply, 200, { 'content-type': 'application/json' });
  });
}

/** Compares secrets in time that does not depend on where they differ. */
function sameSecret(given: string | undefined, expected: string): boolean {
  const a = new TextEncoder().encode(given ?? '');
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
