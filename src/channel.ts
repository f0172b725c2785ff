/**
 * What a channel is. A channel turns its platform's events into the core's messages (`parse`),
 * the core's turns into its platform's messages (`render`), mounts its routes, and delivers a
 * message outside a turn (a staff reply from the handoff desk). Core knows none of this: the server
 * wires every channel of `adapters/channels.ts` the same way, so the next channel is one folder and
 * one line there.
 */
import type { Hono, Context as HonoContext } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Assistant } from './core/assistant.ts';
import type { Handoffs } from './core/handoff.ts';
import type { DeliveryLedger, IncomingMessage, InteractionSink, Turn } from './core/types.ts';
import type { Database } from './db/schema.ts';

/** What a platform allows: the longest text, and how choices look. */
export interface ChannelLimits {
  /** The longest text of one message… */
  text: number;
  /** …counted in characters, or in UTF-8 bytes (WeChat). */
  unit: 'chars' | 'bytes';
  /** Choices as buttons under a message, as a tappable menu, or as the page's own buttons. */
  choices: 'buttons' | 'menu' | 'page';
}

/** Parsing and rendering: pure, so each channel's are tested without a server. */
export interface ChannelCodec<Inbound, Outbound> {
  /** The platform's event as the core's message; undefined when it is not for the core. */
  parse(event: Inbound): IncomingMessage | undefined;
  /** A turn as the platform's messages, within its limits. */
  render(turn: Turn): Outbound[];
}

/** A channel, wired. */
export interface Channel {
  /** Its name: the prefix of its conversation ids ("telegram:…") and the log's channel. */
  readonly name: string;
  readonly limits: ChannelLimits;
  /** Whether a conversation is one of this channel's (its staff replies go through `deliver`). */
  owns(conversationId: string): boolean;
  /** Its routes: a webhook, a page. */
  mount?(app: Hono): void;
  /**
   * Sends a message outside a turn (a staff reply). Throws `UndeliveredError` with words for staff
   * when the platform refuses it for a reason they can act on.
   */
  deliver?(conversationId: string, text: string): Promise<void>;
  /** For /healthz: "on", "webhook", "polling", "off"… */
  state?(): string;
}

/** A platform refused a message for a reason staff should read in the case (not a failure of ours). */
export { UndeliveredError } from './core/handoff.ts';

/** What every channel is built from. */
export interface ChannelContext {
  config: Config;
  assistant: Assistant;
  /** Exactly-once delivery: a platform's retry of a handled event is acknowledged and ignored. */
  ledger: DeliveryLedger;
  db: Kysely<Database>;
  /** The interaction log, for what a channel sees outside a turn (a user leaving). */
  log?: InteractionSink;
  /** Handed-over conversations (when Slack's handoff desk is set up). */
  handoffs?: Handoffs;
  /** Slow work after the response (Workers: executionCtx.waitUntil). */
  waitUntil?: (c: HonoContext, work: Promise<unknown>) => void;
  onError: (error: unknown, context: string) => void;
}

/** Builds a channel, or undefined when it is not configured. */
export type ChannelFactory = (ctx: ChannelContext) => Channel | undefined;

/** Splits text into pieces within a limit (characters or UTF-8 bytes), at paragraph, line or word breaks. */
export function splitText(text: string, limit: number, unit: ChannelLimits['unit'] = 'chars'): string[] {
  const encoder = new TextEncoder();
  const size = (s: string) => (unit === 'bytes' ? encoder.encode(s).length : s.length);
  /** The longest prefix of `s` within the limit, never inside a surrogate pair. */
  const longest = (s: string) => {
    if (size(s) <= limit) return s.length;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (size(s.slice(0, mid)) <= limit) lo = mid;
      else hi = mid - 1;
    }
    const code = s.charCodeAt(lo - 1);
    return code >= 0xd800 && code <= 0xdbff ? lo - 1 : lo;
  };
  const pieces: string[] = [];
  let rest = text;
  while (size(rest) > limit) {
    const end = longest(rest);
    const window = rest.slice(0, end);
    const cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > end / 2 ? cut : end;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
