// A Bolt receiver behind a Hono route: Bolt's own HTTP servers fit neither Hono nor the edge.
// It verifies the signature before anything else, answers url_verification, acknowledges retries
// without processing them again, and returns Bolt's ack as the HTTP response while slow work goes on.
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Context } from 'hono';
import { withTimeout } from '../../src/lib/timeout.ts';
import { verifySlackRequest } from './verify.ts';

export interface HonoReceiverOptions {
  signingSecret: string;
  /** Slow work after the ack (Workers: executionCtx.waitUntil). */
  waitUntil?: (c: Context, work: Promise<unknown>) => void;
  /** Seconds since the epoch (tests fix the clock). */
  now?: () => number;
  onError?: (error: unknown) => void;
}

/** How long we wait for Bolt's ack before answering Slack anyway (Slack allows 3 s). */
const ACK_TIMEOUT_MS = 2_500;

export class HonoReceiver implements Receiver {
  private app: App | undefined;
  constructor(private readonly options: HonoReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async handle(c: Context): Promise<Response> {
    const raw = await c.req.text();
    const verdict = await verifySlackRequest({
      secret: this.options.signingSecret,
      body: raw,
      timestamp: c.req.header('x-slack-request-timestamp'),
      signature: c.req.header('x-slack-signature'),
      ...(this.options.now ? { now: this.options.now() } : {}),
    });
    if (!verdict.ok) return c.json({ error: verdict.reason }, 401);

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, c.req.header('content-type') ?? '');
    } catch {
      return c.json({ error: 'body is neither JSON nor a form' }, 400);
    }
    if (body.type === 'url_verification') return c.json({ challenge: body.challenge });
    // Slack retries when it did not see our answer in time; the first delivery is being handled.
    const retryNum = c.req.header('x-slack-retry-num');
    if (retryNum) return c.body(null, 200);

    if (!this.app) throw new Error('the receiver was not initialised by a Bolt App');
    let respond: (value: unknown) => void = () => {};
    const acked = new Promise<unknown>((resolve) => {
      respond = resolve;
    });
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => respond(response ?? null),
    };
    const work = this.app.processEvent(event).catch((error: unknown) => this.options.onError?.(error));
    this.options.waitUntil?.(c, work);
    const answer = await withTimeout(Promise.race([acked, work.then(() => null)]), ACK_TIMEOUT_MS);
    if (answer === null || answer === undefined || answer === '') return c.body(null, 200);
    return typeof answer === 'string' ? c.text(answer) : c.json(answer as object);
  }
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  }
  const form = Object.fromEntries(new URLSearchParams(raw));
  // Interactivity (buttons, views) arrives as a form with one JSON field.
  if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
  return form;
}
