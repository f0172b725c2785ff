// The web channel: the chat page and POST /api/chat. Parse, call core, render JSON.
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Assistant } from '../../src/core/assistant.ts';
import type { Handoffs } from '../../src/core/handoff.ts';
import { type AddressLimiter, createRateLimiter, type RateLimiter } from '../../src/core/rate-limit.ts';
import { HttpError } from '../../src/errors.ts';
import { limitBody } from '../../src/http/body-limit.ts';
import type { AddressOf } from '../../src/http/client-address.ts';
import { chatPage, chatScript } from './page.ts';

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
    userId: userId.optional(),
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
  userId: userId.optional(),
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'after must be the id of the last message seen (a whole number)')
    .optional(),
});

/** How often one user may poll for staff replies: the page polls every 4 s; much faster is slowed down. */
export const createPollLimiter = () => createRateLimiter({ perMinute: 60, burst: 10 });

/**
 * The page's identity: a random id (256 bits) the server issues in an HttpOnly cookie, never in a
 * URL nor readable by script. Its conversations live in a namespace ("web-session:") that no
 * `userId` sent by an API client (always "web:<userId>") can reach.
 */
const SESSION = 'kup_session';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const newSessionId = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
};
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";

export interface WebChatDeps {
  assistant: Assistant;
  handoffs?: Handoffs;
  polls?: RateLimiter;
  /** The client's address (for limits; never stored). */
  addressOf?: AddressOf;
  /** Requests a minute per client address, whatever user ids it sends. */
  addresses?: AddressLimiter;
  /** How long the page's identity lasts (days); default 365, as long as a registration is kept. */
  sessionDays?: number;
}

export function createWebChat(deps: WebChatDeps) {
  const web = new Hono();
  const clientOf = (c: Context) => deps.addressOf?.(c);
  const sessionOf = (c: Context) => {
    const id = getCookie(c, SESSION);
    return id && SESSION_ID.test(id) ? id : undefined;
  };
  const startSession = (c: Context) => {
    const id = newSessionId();
    setCookie(c, SESSION, id, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      path: '/',
      maxAge: (deps.sessionDays ?? 365) * 86_400,
    });
    return id;
  };
  /** API clients name themselves (a bearer secret); the page is known by its cookie. */
  const conversationOf = (c: Context, userId: string | undefined): string => {
    if (userId !== undefined) return `web:${userId}`;
    const session = sessionOf(c);
    if (!session) throw new HttpError(400, 'no session: open the chat page first, or send a userId');
    // A cookie is sent with cross-site requests too: only the page's own origin may use it.
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== new URL(c.req.url).origin)
      throw new HttpError(403, 'cross-origin requests may not use the page session');
    return `web-session:${session}`;
  };

  // Rotating user ids must not bypass the limits: every request also counts against its address.
  const perAddress: MiddlewareHandler = async (c, next) => {
    const address = clientOf(c);
    const wait = address && deps.addresses ? await deps.addresses.check(address) : 0;
    if (wait > 0) {
      c.header('retry-after', String(wait));
      throw new HttpError(429, `too many requests from your network: try again in ${wait} s`);
    }
    await next();
  };

  web.get('/', (c) => {
    if (!sessionOf(c)) startSession(c);
    c.header('content-security-policy', PAGE_CSP);
    c.header('cache-control', 'no-store');
    return c.html(chatPage);
  });
  web.get('/chat.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(chatScript);
  });
  // "Forget this device": the page's identity ends here (its data stays until /forget or retention).
  web.delete('/api/chat/session', (c) => {
    deleteCookie(c, SESSION, { path: '/' });
    return c.body(null, 204);
  });

  web.post('/api/chat', perAddress, limitBody(MAX_BODY), async (c) => {
    // JSON only: a cross-site form post (text/plain, form-encoded) cannot be sent without a preflight.
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'send the request body as application/json');
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
    const client = clientOf(c);
    const turn = await deps.assistant.handle({
      channel: 'web',
      conversationId: conversationOf(c, userId),
      ...(client ? { client } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(choice !== undefined ? { choice } : {}),
      ...(lang ? { lang } : {}),
    });
    return c.json(turn);
  });

  // Staff replies while the conversation is with a person (the limiter outlives the app where the
  // runtime allows: per isolate on Workers).
  const polls = deps.polls ?? createPollLimiter();
  web.get('/api/chat/messages', perAddress, async (c) => {
    const parsed = messagesQuery.safeParse(c.req.query());
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? 'invalid request');
    const { userId, after = '0' } = parsed.data;
    const conversationId = conversationOf(c, userId);
    if (!polls.take(conversationId))
      throw new HttpError(429, 'too many requests: poll at most once a second');
    const { open, replies } = deps.handoffs
      ? await deps.handoffs.messages(conversationId, after)
      : { open: false, replies: [] };
    c.header('cache-control', 'no-store');
    return c.json({
      messages: replies.map((r) => ({ id: r.id, text: r.text, at: r.at.toISOString() })),
      handoff: { open },
    });
  });
  return web;
}
