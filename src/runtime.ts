// Wires the app for a long-running process (Node): database, migrations, log writer, assistant.

import type { Context } from 'grammy';
import type { KyselyPlugin } from 'kysely';
import type { Config } from './config.ts';
import { createTaughtCache } from './core/taught-cache.ts';
import type { DatabaseHandle } from './db/connect.ts';
import { connectPostgres } from './db/connect.ts';
import { connectEmbedded } from './db/connect-embedded.ts';
import { DataDirBusyError, lockDataDir } from './db/data-lock.ts';
import { purgeExpired } from './db/maintenance.ts';
import { migrateToLatest, pendingMigrations } from './db/migrate.ts';
import { createPseudonyms } from './db/pseudonym.ts';
import { pseudonymKey } from './db/pseudonym-key.ts';
import { createTaughtStore } from './db/taught.ts';
import { nodeAddressOf } from './http/client-address.ts';
import { knowledgeBase } from './knowledge/content.generated.ts';
import { withTimeout } from './lib/timeout.ts';
import { startPolling } from './telegram-polling.ts';
import { consoleLogger, type Logger, loadSlack, wireApp } from './wire.ts';

export { consoleLogger, type Logger };

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
  /** Today, YYYY-MM-DD (tests move the calendar: taught entries stop after their last day). */
  today?: () => string;
  /** WeChat's passive-reply deadline (tests shorten it). */
  wechat?: { passiveMs?: number };
  /** How often expired dialogs and registrations are deleted (default hourly). */
  purgeIntervalMs?: number;
  /** Kysely plugins for the app's queries (tests use one to simulate an outage). */
  dbPlugins?: KyselyPlugin[];
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}) {
  const logger = options.logger ?? consoleLogger;
  // One server per embedded database folder.
  let unlock = () => {};
  if (!config.DATABASE_URL && !options.memory) {
    try {
      unlock = lockDataDir(config.DATA_DIR);
    } catch (error) {
      throw error instanceof DataDirBusyError ? new StartupError(error.message) : error;
    }
  }
  const connected: DatabaseHandle = await (config.DATABASE_URL
    ? connectPostgres(config.DATABASE_URL, { prepare: config.DATABASE_PREPARED_STATEMENTS })
    : connectEmbedded(options.memory ? undefined : config.DATA_DIR)
  ).catch((error: unknown) => {
    unlock();
    throw error;
  });
  let db = connected.db;
  for (const plugin of options.dbPlugins ?? []) db = db.withPlugin(plugin);
  const handle: DatabaseHandle = { ...connected, db };
  const key = pseudonymKey({
    ...(config.PSEUDONYM_KEY ? { key: config.PSEUDONYM_KEY } : {}),
    dataDir: config.DATA_DIR,
    ...(options.memory ? { memory: true } : {}),
  });
  if (key.from === 'generated')
    logger.info(
      `generated the pseudonym key in ${config.DATA_DIR}/pseudonym.key: keep it with the data, or set PSEUDONYM_KEY`,
    );
  const pseudonyms = createPseudonyms(key.key);

  if (handle.kind === 'pglite') {
    const applied = await migrateToLatest(handle.db, pseudonyms);
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
        logRetentionDays: config.LOG_RETENTION_DAYS,
      });
      if (purged.dialogs || purged.registrations || purged.texts) {
        logger.info(
          `deleted ${purged.dialogs} expired dialogs and ${purged.registrations} registrations past retention; blanked ${purged.texts} logged texts`,
        );
      }
    } catch (error) {
      logger.error('purging expired data failed', error);
    }
  };
  await purge();
  const purgeTimer = setInterval(() => void purge(), options.purgeIntervalMs ?? 3_600_000);
  purgeTimer.unref?.();

  // Telegram: a webhook route, or long polling for local development.
  const runner =
    config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_POLLING ? await import('@grammyjs/runner') : undefined;
  // undici, for Bot API calls, is imported only where Telegram is configured (5 MiB of heap).
  const botApi = config.TELEGRAM_BOT_TOKEN
    ? (await import('./http/bot-api-fetch.ts')).createBotApiFetch()
    : undefined;
  // Work still running at close() (a request whose client went away, Slack work after its ack)
  // finishes before the database closes.
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    work.then(
      () => running.delete(work),
      () => running.delete(work),
    );
    return work;
  };
  const slack = await loadSlack(config);
  // What staff taught: loaded now, at once after a change made through this server, and checked
  // every 30 s for changes made through another (several servers behind one database).
  const taughtStore = createTaughtStore(handle.db);
  const taughtCache = createTaughtCache(knowledgeBase, options.today ? { today: options.today } : {});
  const reloadTaught = () => taughtCache.refresh(taughtStore, true);
  await reloadTaught();
  const taughtTimer = setInterval(
    () =>
      void taughtCache
        .refresh(taughtStore)
        .catch((e: unknown) => logger.error('taught entries: reload failed', e)),
    30_000,
  );
  taughtTimer.unref?.();
  // What /healthz says of each channel (set once polling is wired below).
  let channelState = (): Record<string, string> => ({});
  const { app, assistant, log, ledger, telegram, handoffs, taught } = wireApp({
    channels: () => channelState(),
    taught: () => taughtCache.get(),
    taughtChanged: reloadTaught,
    config,
    ...(slack ? { slack } : {}),
    db: handle.db,
    databaseKind: handle.kind,
    logger,
    ...(options.log ? { log: options.log } : {}),
    ...(options.slackNow ? { slackNow: options.slackNow } : {}),
    ...(options.today ? { today: options.today } : {}),
    ...(options.wechat ? { wechat: options.wechat } : {}),
    waitUntil: (_c, work) => void track(work),
    addressOf: nodeAddressOf(config.TRUSTED_PROXIES),
    pseudonyms,
    telegram: {
      webhook: !runner,
      ...(botApi ? { fetch: botApi.fetch } : {}),
      ...(runner ? { first: [runner.sequentialize((ctx: Context) => ctx.chat?.id.toString())] } : {}),
    },
  });
  // Long polling starts in the background: an unreachable Bot API never keeps the server from listening.
  const polling =
    runner && telegram
      ? startPolling(telegram.bot, runner, {
          apiRoot: config.TELEGRAM_API_ROOT,
          logger,
        })
      : undefined;
  const stopPolling = polling ? () => polling.stop() : undefined;
  // Long polling's own state (unreachable, conflict…) overrides the channel's.
  channelState = (): Record<string, string> => (polling ? { telegram: polling.state() } : {});

  let closing: Promise<void> | undefined;
  return {
    app,
    /** app.fetch, with each request followed until it ends (the Node server serves this). */
    fetch: (request: Request, env?: unknown): Promise<Response> =>
      track(Promise.resolve(app.fetch(request, env))),
    assistant,
    db: handle.db,
    databaseKind: handle.kind,
    /** The log's keyed pseudonyms (to find a conversation's rows). */
    pseudonyms,
    /** What staff taught (Slack's /kup teach and /kup kb change it through this). */
    taught,
    log,
    /** Handing conversations to staff (when Slack and SLACK_HANDOFF_CHANNEL are set). */
    handoffs,
    /** Resolves when the work still running after its responses has ended (a turn WeChat gets by the API). */
    settled: async (): Promise<void> => {
      while (running.size) await Promise.allSettled([...running]);
    },
    /** Lets running work finish, flushes the interaction log, then closes the database. Safe to call twice. */
    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(purgeTimer);
        clearInterval(taughtTimer);
        await stopPolling?.();
        await withTimeout(Promise.allSettled([...running]), 8_000);
        const [stats] = await Promise.all([log.close(), ledger.close()]);
        if (stats.pending > 0)
          logger.error(`interaction log: ${stats.pending} rows could not be written at shutdown`);
        await handle.close();
        unlock();
        await botApi?.close();
      })();
      return closing;
    },
  };
}

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
