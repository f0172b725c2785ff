// Builds the app from a config and a database: the same on Node (once) and on Workers (per request).
import type { Hono, Context as HonoContext } from 'hono';
import { type Kysely, sql } from 'kysely';
import { channelFactories } from '../adapters/channels.ts';
import type { createSlackApp } from '../adapters/slack/app.ts';
import type { TelegramChannel, TelegramChannelOptions } from '../adapters/telegram/channel.ts';
import type { WeChatChannelOptions } from '../adapters/wechat/channel.ts';
import { createApp, type Health } from './app.ts';
import type { Channel } from './channel.ts';
import type { Config } from './config.ts';
import { createAssistant } from './core/assistant.ts';
import { createHandoffs } from './core/handoff.ts';
import { parseOfficeHours } from './core/office-hours.ts';
import {
  type AddressLimiter,
  createRateLimiter,
  memoryAddressLimiter,
  type RateLimiter,
} from './core/rate-limit.ts';
import { createTaughtBook } from './core/taught.ts';
import type { TaughtIndex } from './core/taught-index.ts';
import type { Understand } from './core/understanding/understand.ts';
import { createDeliveryLedger } from './db/deliveries.ts';
import { createDialogStore } from './db/dialogs.ts';
import { createHandoffStore } from './db/handoffs.ts';
import { createInteractionLog, recentTurns } from './db/interactions.ts';
import { createPreferenceStore } from './db/preferences.ts';
import type { Pseudonyms } from './db/pseudonym.ts';
import { createRegistrationStore } from './db/registrations.ts';
import type { Database } from './db/schema.ts';
import { createStats } from './db/stats.ts';
import { createTaughtStore } from './db/taught.ts';
import type { AddressOf } from './http/client-address.ts';
import { knowledgeBase } from './knowledge/content.generated.ts';

export interface Logger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  error: (m, e) => console.error(e === undefined ? m : `${m}: ${message(e)}`),
};

/**
 * The Slack adapter, imported only where Slack is configured: Bolt and what it brings (Express,
 * the OAuth and Socket Mode packages) are about 10 MiB of heap and 250 modules that a deployment
 * without Slack never uses.
 */
export async function loadSlack(config: Config): Promise<typeof createSlackApp | undefined> {
  if (!config.SLACK_SIGNING_SECRET || !config.SLACK_BOT_TOKEN) return undefined;
  return (await import('../adapters/slack/app.ts')).createSlackApp;
}

export interface WireOptions {
  config: Config;
  /** From `loadSlack(config)`: required when Slack is configured. */
  slack?: typeof createSlackApp;
  db: Kysely<Database>;
  databaseKind: string;
  logger: Logger;
  log?: { intervalMs?: number; maxBuffer?: number; batchSize?: number };
  /** Shared across requests where the runtime allows (Workers: once per isolate). */
  understand?: Understand;
  telegram?: TelegramChannelOptions;
  /** WeChat: when the request arrived (Workers), and the passive-reply deadline (tests shorten it). */
  wechat?: WeChatChannelOptions;
  /** Slow work after the response (Workers: executionCtx.waitUntil). */
  waitUntil?: (c: HonoContext, work: Promise<unknown>) => void;
  /** Slack's clock, in seconds (tests fix it to check a published signature). */
  slackNow?: () => number;
  health?: () => Promise<Health>;
  /** Per-conversation limit (Workers: one per isolate, kept across requests). */
  rateLimiter?: RateLimiter;
  /** Unanswered questions in a row (Workers: one per isolate, kept across requests). */
  misses?: Map<string, number>;
  /** Polls for staff replies per user (Workers: one per isolate, kept across requests). */
  pollLimiter?: RateLimiter;
  /** The client's address: the socket's on Node, CF-Connecting-IP on Workers. */
  addressOf?: AddressOf;
  /** Requests per client address (Workers: the rate-limiting binding, across isolates). */
  addresses?: AddressLimiter;
  /** Keyed pseudonyms for the interaction log (PSEUDONYM_KEY). */
  pseudonyms: Pseudonyms;
  /** States that override the channels' own, for /healthz (`{"telegram":"polling|unreachable|…"}`). */
  channels?: () => Record<string, string>;
  /** What staff taught (the current index; swapped when the entries change). */
  taught?: () => TaughtIndex | undefined;
  /** Today, YYYY-MM-DD (tests move the calendar). */
  today?: () => string;
  /** Called after staff change a taught entry here: the index is rebuilt at once. */
  taughtChanged?: () => Promise<void>;
  /** New staff cases and registrations per client address (Workers: one per isolate). */
  clientLimits?: ClientLimits;
}

export interface ClientLimits {
  handoffs: RateLimiter;
  registrations: RateLimiter;
}

/** At most 3 new staff cases an hour, and REGISTRATIONS_PER_IP_PER_HOUR registrations, per address. */
export const createClientLimits = (config: Config): ClientLimits => ({
  handoffs: createRateLimiter({ perMinute: 3 / 60, burst: 3 }),
  registrations: createRateLimiter({
    perMinute: config.REGISTRATIONS_PER_IP_PER_HOUR / 60,
    burst: config.REGISTRATIONS_PER_IP_PER_HOUR,
  }),
});

export function wireApp(o: WireOptions) {
  const { config, db, logger, pseudonyms } = o;
  const clientLimits = o.clientLimits ?? createClientLimits(config);
  const log = createInteractionLog(db, pseudonyms, {
    ...o.log,
    onError: (error, pending) =>
      logger.error(`interaction log: write failed, ${pending} rows kept for retry`, error),
    onDrop: (dropped, total) =>
      logger.error(`interaction log: buffer full, dropped ${dropped} oldest rows (${total} in all)`),
    onReject: (error, total) =>
      logger.error(`interaction log: a row was refused and set aside (${total} in all)`, error),
  });
  // What staff taught: shipped in knowledge/taught/ and stored; Slack changes it.
  const taught = createTaughtBook({
    store: createTaughtStore(db),
    ...(knowledgeBase.taught ? { shipped: knowledgeBase.taught } : {}),
    ...(o.taughtChanged ? { changed: o.taughtChanged } : {}),
  });
  // Slack first: it is the staff desk that handoffs post to.
  if (config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN && !o.slack) {
    throw new Error(
      'Slack is configured but its adapter was not loaded: pass slack: await loadSlack(config)',
    );
  }
  const slack =
    config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN && o.slack
      ? o.slack({
          signingSecret: config.SLACK_SIGNING_SECRET,
          token: config.SLACK_BOT_TOKEN,
          apiUrl: config.SLACK_API_URL,
          staffUserIds: config.SLACK_STAFF_USER_IDS,
          handoffAnyone: config.SLACK_HANDOFF_ANYONE,
          ...(config.SLACK_BOT_ID && config.SLACK_BOT_USER_ID
            ? { botId: config.SLACK_BOT_ID, botUserId: config.SLACK_BOT_USER_ID }
            : {}),
          stats: createStats(db),
          taught,
          ...(o.today ? { today: o.today } : {}),
          // (Called only at a request, when `assistant` below exists.)
          answers: (question) => assistant.answers(question),
          ...(o.waitUntil ? { waitUntil: o.waitUntil } : {}),
          ...(o.slackNow ? { now: o.slackNow } : {}),
          onError: (error, context) => logger.error(`slack: ${context} failed`, error),
        })
      : undefined;
  // Staff replies reach Telegram users as messages (the bot is made below); web users poll.
  const handoffs =
    slack && config.SLACK_HANDOFF_CHANNEL
      ? createHandoffs({
          store: createHandoffStore(db),
          casesPerMinute: config.HANDOFF_CASES_PER_MINUTE,
          perClient: clientLimits.handoffs,
          desk: slack.desk(config.SLACK_HANDOFF_CHANNEL),
          hours: parseOfficeHours(config.HANDOFF_HOURS, config.HANDOFF_TIME_ZONE),
          // Staff replies reach users through their channel (wired below, before any reply).
          notify: async (conversationId: string, text: string): Promise<void> =>
            channels.find((c) => c.owns(conversationId))?.deliver?.(conversationId, text),
          recentTurns: async (conversationId, limit) => {
            await log.flush();
            return recentTurns(db, pseudonyms, conversationId, limit);
          },
          log,
          onError: (error, context) => logger.error(`handoff: ${context} failed`, error),
        })
      : undefined;
  if (slack && handoffs && config.SLACK_HANDOFF_CHANNEL)
    slack.listenForCases(config.SLACK_HANDOFF_CHANNEL, handoffs);

  const assistant = createAssistant({
    knowledge: knowledgeBase,
    ...(o.understand ? { understand: o.understand } : {}),
    preferences: createPreferenceStore(db),
    dialogs: createDialogStore(db),
    registrations: createRegistrationStore(db, {
      pseudonyms,
      beforeForget: async (conversationId) => {
        log.forget(conversationId);
        await log.flush();
      },
    }),
    dialogTtlMs: config.DIALOG_TTL_DAYS * 86_400_000,
    rateLimiter: o.rateLimiter ?? createRateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE }),
    registrationsPerClient: clientLimits.registrations,
    ...(o.taught ? { taught: o.taught } : {}),
    retentionDays: config.REGISTRATION_RETENTION_DAYS,
    log,
    ...(handoffs ? { handoffs } : {}),
    ...(o.misses ? { misses: o.misses } : {}),
    onError: (error, context) => logger.error(`assistant: ${context} failed`, error),
  });

  // Telegram updates handled, so that retries are not (core claims them too, with its first read).
  const ledger = createDeliveryLedger(db, {
    ...(o.log?.intervalMs === 0 ? { intervalMs: 0 } : {}),
    onError: (error) => logger.error('delivery ledger: marking updates done failed, will retry', error),
  });

  // Every channel on one contract (adapters/channels.ts): its routes, and staff replies to its users.
  const factories = channelFactories({
    web: {
      ...(o.pollLimiter ? { polls: o.pollLimiter } : {}),
      ...(o.addressOf ? { addressOf: o.addressOf } : {}),
      addresses: o.addresses ?? memoryAddressLimiter(config.RATE_LIMIT_PER_IP_PER_MINUTE),
    },
    telegram: o.telegram ?? { webhook: true },
    ...(o.wechat ? { wechat: o.wechat } : {}),
  });
  const channels: Channel[] = Object.values(factories)
    .map((make) =>
      make({
        config,
        assistant,
        ledger,
        db,
        log,
        ...(handoffs ? { handoffs } : {}),
        ...(o.waitUntil ? { waitUntil: o.waitUntil } : {}),
        onError: (error, context) => logger.error(`${context} failed`, error),
      }),
    )
    .filter((c): c is Channel => c !== undefined);
  const telegram = channels.find((c): c is TelegramChannel => c.name === 'telegram')?.telegram;
  const routes: Array<(app: Hono) => void> = channels.flatMap((c) => (c.mount ? [c.mount] : []));
  if (slack) routes.push((app) => slack.mount(app));

  const app = createApp({
    assistant,
    routes,
    health:
      o.health ??
      (async () => {
        // One channel's trouble (Telegram unreachable) is reported, not a failure of the server.
        const states = { ...channelStates(), ...o.channels?.() };
        try {
          await sql`select 1`.execute(db);
          return { ok: true, database: o.databaseKind, channels: states };
        } catch {
          return { ok: false, database: o.databaseKind, error: 'database unreachable', channels: states };
        }
      }),
    onError: (error) => logger.error('unhandled error', error),
  });
  /** Every known channel: its state, "off" when it is not configured. */
  function channelStates(): Record<string, string> {
    const off = Object.fromEntries(Object.keys(factories).map((name) => [name, 'off']));
    const on = Object.fromEntries(channels.map((c) => [c.name, c.state?.() ?? 'on']));
    return { ...off, ...on, slack: slack ? 'on' : 'off' };
  }
  return { app, assistant, log, ledger, telegram, handoffs, taught, channels, channelStates };
}
