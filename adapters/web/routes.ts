// The web channel: the chat page and POST /api/chat. Parse, call core, render JSON.
import { Hono } from 'hono';
import { z } from 'zod';
import type { Assistant } from '../../src/core/assistant.ts';
import type { Handoffs } from '../../src/core/handoff.ts';
import { createRateLimiter, type RateLimiter } from '../../src/core/rate-limit.ts';
import { HttpError } from '../../src/errors.ts';
import { limitBody } from '../../src/http/body-limit.ts';
import { chatPage } from './page.ts';

export const MAX_TEXT = 4_000;
const MAX_BODY = 32 * 1024;

/** The page's random id: any printable text (control characters are refused, Postgres takes no NUL). */
const userId = z
  .string({ message: 'userId is required (a string)' })
  .trim()
  .min(1, 'userId must not be empty')
  .max(128, 'userId is longer than 128 characters')
  .refine((v) => !/\p{Cc}/u.test(v) && v.isWellFormed(), 'userId must be printable text');

const chatRequest = z
  .object({
    userId,
    text: z
      .string({ message: 'text must be a string' })
      .max(MAX_TEXT, `text is longer than ${MAX_TEXT} characters`)
      .optional(),
    choice: z
      .string({ message: 'choice must be a string' })
      .max(200, 'choice is longer than 200 characters')
      .optional(),
    lang: z.enum(['zh', 'en'], { message: 'lang must be "zh" or "en"' }).optional(),
  })
  .refine((b) => (b.text ?? '').trim() !== '' || (b.choice ?? '').trim() !== '', {
    message: 'send a non-empty text or a choice',
  });

const messagesQuery = z.object({
  userId,
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'after must be the id of the last message seen (a whole number)')
    .optional(),
});

/** How often one user may poll for staff replies: the page polls every 4 s; much faster is slowed down. */
export const createPollLimiter = () => createRateLimiter({ perMinute: 60, burst: 10 });

export function createWebChat(deps: { assistant: Assistant; handoffs?: Handoffs; polls?: RateLimiter }) {
  const web = new Hono();

  web.get('/', (c) => {
    c.header(
      'content-security-policy',
      "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
    );
    return c.html(chatPage);
  });

  web.post('/api/chat', limitBody(MAX_BODY), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HttpError(400, 'request body must be JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'request body must be a JSON object');
    }
    const parsed = chatRequest.safeParse(body);
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? 'invalid request');
    const { userId, text, choice, lang } = parsed.data;
    const turn = await deps.assistant.handle({
      channel: 'web',
      conversationId: `web:${userId}`,
      ...(text !== undefined ? { text } : {}),
      ...(choice !== undefined ? { choice } : {}),
      ...(lang ? { lang } : {}),
    });
    return c.json(turn);
  });

  // Staff replies while the conversation is with a person (the limiter outlives the app where the
  // runtime allows: per isolate on Workers).
  const polls = deps.polls ?? createPollLimiter();
  web.get('/api/chat/messages', async (c) => {
    const parsed = messagesQuery.safeParse(c.req.query());
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? 'invalid request');
    const { userId, after = '0' } = parsed.data;
    if (!polls.take(userId)) throw new HttpError(429, 'too many requests: poll at most once a second');
    const { open, replies } = deps.handoffs
      ? await deps.handoffs.messages(`web:${userId}`, after)
      : { open: false, replies: [] };
    c.header('cache-control', 'no-store');
    return c.json({
      messages: replies.map((r) => ({ id: r.id, text: r.text, at: r.at.toISOString() })),
      handoff: { open },
    });
  });
  return web;
}
