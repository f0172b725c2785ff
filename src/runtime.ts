// Wires the app for a long-running process (Node): database, migrations, log writer, assistant.
import type { Context } from 'grammy';
import type { Hono } from 'hono';
import { type KyselyPlugin, sql } from 'kysely';
import { createSlackApp } from '../adapters/slack/app.ts';
import { createTelegramBot } from '../adapters/telegram/bot.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createAssistant } from './core/assistant.ts';
import { cachePreferences } from './core/preference-cache.ts';
import { connectEmbedded, connectPostgres, type DatabaseHandle } from './db/connect.ts';
import { createDeliveryLedger } from './db/deliveries.ts';
import { createDialogStore } from './db/dialogs.ts';
import { createInteractionLog } from './db/interactions.ts';
import { purgeExpired } from './db/maintenance.ts';
import { migrateToLatest, pendingMigrations } from './db/migrate.ts';
import { createPreferenceStore } from './db/preferences.ts';
import { createRegistrationStore } from './db/registrations.ts';
import { createStats } from './db/stats.ts';
import { knowledgeBase } from './knowledge/content.generated.ts';

export interface Logger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

export interface RuntimeOptions {
  /** In-memory embedded database (tests). */
  memory?: boolean;
  logger?: Logger;
  log?: { intervalMs?: number; maxBuffer?: number; batchSize?: number };
  /** Slack's clock, in seconds (tests fix it to check a published signature). */
  slackNow?: () => number;
  /** How often expired dialogs and registrations are deleted (default hourly). */
  purgeIntervalMs?: number;
  /** Kysely plugins for the app's queries (tests use one to simulate an outage). */
  dbPlugins?: KyselyPlugin[];
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}) {
  const logger = options.logger ?? consoleLogger;
  const connected: DatabaseHandle = config.DATABASE_URL
    ? await connectPostgres(config.DATABASE_URL)
    : await connectEmbedded(options.memory ? undefined : config.DATA_DIR);
  let db = connected.db;
  for (const plugin of options.dbPlugins ?? []) db = db.withPlugin(plugin);
  const handle: DatabaseHandle = { ...connected, db };

  if (handle.kind === 'pglite') {
    const applied = await migrateToLatest(handle.db);
    if (applied.length) logger.info(`applied migrations: ${applied.join(', ')}`);
  } else {
    const pending = await pendingMigrations(handle.db).catch((error: unknown) => {
      throw new StartupError(`cannot reach the database at DATABASE_URL: ${message(error)}`);
    });
    if (pending.length) {
      await handle.close();
      throw new StartupError(
        `the database has pending migrations (${pending.join(', ')}): run \`npm run db:migrate\``,
      );
    }
  }

  // What the privacy notice promises: expired dialogs and old registrations are deleted, at
  // start-up and every hour.
  const dialogTtlMs = config.DIALOG_TTL_DAYS * 86_400_000;
  const purge = async () => {
    try {
      const purged = await purgeExpired(handle.db, {
        dialogTtlMs,
        retentionDays: config.REGISTRATION_RETENTION_DAYS,
      });
      if (purged.dialogs || purged.registrations) {
        logger.info(
          `deleted ${purged.dialogs} expired dialogs and ${purged.registrations} registrations past retention`,
        );
      }
    } catch (error) {
      logger.error('purging expired data failed', error);
    }
  };
  await purge();
  const purgeTimer = setInterval(() => void purge(), options.purgeIntervalMs ?? 3_600_000);
  purgeTimer.unref?.();

  const log = createInteractionLog(handle.db, {
    ...options.log,
    onError: (error, pending) =>
      logger.error(`interaction log: write failed, ${pending} rows kept for retry`, error),
    onDrop: (dropped, total) =>
      logger.error(`interaction log: buffer full, dropped ${dropped} oldest rows (${total} in all)`),
    onReject: (error, total) =>
      logger.error(`interaction log: a row was refused and set aside (${total} in all)`, error),
  });
  const assistant = createAssistant({
    knowledge: knowledgeBase,
    preferences: cachePreferences(createPreferenceStore(handle.db)),
    dialogs: createDialogStore(handle.db),
    registrations: createRegistrationStore(handle.db, {
      beforeForget: async (conversationId) => {
        log.forget(conversationId);
        await log.flush();
      },
    }),
    dialogTtlMs,
    retentionDays: config.REGISTRATION_RETENTION_DAYS,
    log,
    onError: (error, context) => logger.error(`assistant: ${context} failed`, error),
  });
  // Telegram: a webhook route, or long polling for local development.
  const routes: Array<(app: Hono) => void> = [];
  let stopPolling: (() => Promise<void>) | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
    const polling = config.TELEGRAM_POLLING;
    const runner = polling ? await import('@grammyjs/runner') : undefined;
    const telegram = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      assistant,
      ledger: createDeliveryLedger(handle.db, { staleAfterMs: 20_000 }),
      apiRoot: config.TELEGRAM_API_ROOT,
      first: runner ? [runner.sequentialize((ctx: Context) => ctx.chat?.id.toString())] : [],
      onError: (error, context) => logger.error(`telegram: ${context} failed`, error),
    });
    if (runner) {
      await telegram.bot.init();
      const handle = runner.run(telegram.bot);
      stopPolling = () => (handle.isRunning() ? handle.stop() : Promise.resolve());
      logger.info(`telegram: long polling as @${telegram.bot.botInfo.username}`);
    } else {
      routes.push((app) => telegram.mount(app, config.TELEGRAM_WEBHOOK_SECRET));
    }
  }

  // Slack for programme staff.
  if (config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN) {
    const slack = createSlackApp({
      signingSecret: config.SLACK_SIGNING_SECRET,
      token: config.SLACK_BOT_TOKEN,
      apiUrl: config.SLACK_API_URL,
      staffUserIds: config.SLACK_STAFF_USER_IDS,
      stats: createStats(handle.db),
      ...(options.slackNow ? { now: options.slackNow } : {}),
      onError: (error, context) => logger.error(`slack: ${context} failed`, error),
    });
    routes.push((app) => slack.mount(app));
  }

  const app = createApp({
    assistant,
    routes,
    health: async () => {
      try {
        await sql`select 1`.execute(handle.db);
        return { ok: true, database: handle.kind };
      } catch {
        return { ok: false, database: handle.kind, error: 'database unreachable' };
      }
    },
    onError: (error) => logger.error('unhandled error', error),
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    assistant,
    db: handle.db,
    databaseKind: handle.kind,
    log,
    /** Flushes the interaction log, then closes the database. Safe to call twice. */
    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(purgeTimer);
        await stopPolling?.();
        const stats = await log.close();
        if (stats.pending > 0)
          logger.error(`interaction log: ${stats.pending} rows could not be written at shutdown`);
        await handle.close();
      })();
      return closing;
    },
  };
}

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  error: (m, e) => console.error(e === undefined ? m : `${m}: ${message(e)}`),
};
