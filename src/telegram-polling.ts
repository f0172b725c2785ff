// Long polling that cannot take the server down: it starts after the server listens, in the
// background; getMe and getUpdates failures are logged in one line each and retried with backoff;
// a webhook left from webhook mode is deleted first (getUpdates refuses to run beside one); and a
// 409 from another instance polling with the same token ends nothing but this attempt.
import type { Bot } from 'grammy';
import { failAfter, withTimeout } from './lib/timeout.ts';

export type PollingState = 'starting' | 'polling' | 'unreachable' | 'conflict' | 'stopped';

type Runner = typeof import('@grammyjs/runner');

export function startPolling(
  bot: Bot,
  runner: Runner,
  options: {
    apiRoot: string;
    logger: { info(m: string): void; error(m: string): void };
    /** First retry after this long, doubling up to 5 minutes (default 30 s). */
    retryMs?: number;
    timeoutMs?: number;
    /** Wrapped around the bot's work (sequential per chat). */
    first?: Parameters<Runner['run']>[1];
  },
) {
  const { logger } = options;
  const firstRetry = options.retryMs ?? 30_000;
  let state: PollingState = 'starting';
  let stopped = false;
  let handle: ReturnType<Runner['run']> | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const describe = (error: unknown): string => {
    const e = error as { error_code?: number; description?: string; message?: string; error?: unknown };
    if (e?.error_code === 409)
      return '409 Conflict (another instance is polling with this token, or a webhook was set)';
    if (e?.error_code === 401) return '401 Unauthorized (check TELEGRAM_BOT_TOKEN)';
    if (e?.error_code) return `${e.error_code} ${e.description ?? ''}`.trim();
    const cause = (e?.error as { message?: string } | undefined)?.message;
    return (cause ?? e?.message ?? String(error)).split('\n')[0] as string;
  };

  const loop = (async () => {
    let retry = firstRetry;
    while (!stopped) {
      try {
        await failAfter(bot.init(), options.timeoutMs ?? 10_000, 'getMe');
        const info = await failAfter(bot.api.getWebhookInfo(), options.timeoutMs ?? 10_000, 'getWebhookInfo');
        if (info.url) {
          logger.info(`telegram: a webhook is set (${info.url}): deleting it to poll`);
          await bot.api.deleteWebhook();
        }
        // Fetch errors past 30 s end the attempt, so that the state and the log say so.
        handle = runner.run(bot, { runner: { silent: true, maxRetryTime: 30_000, retryInterval: 1_000 } });
        const task = handle.task();
        state = 'polling';
        retry = firstRetry;
        logger.info(`telegram: long polling as @${bot.botInfo.username}`);
        await task;
        if (stopped) break;
        throw new Error('polling ended');
      } catch (error) {
        if (stopped) break;
        state = (error as { error_code?: number })?.error_code === 409 ? 'conflict' : 'unreachable';
        logger.error(
          `telegram: ${state === 'conflict' ? 'polling refused' : `Bot API unreachable at ${options.apiRoot}`}: ${describe(error)}; retrying in ${Math.round(retry / 1000)} s`,
        );
        await pause(retry);
        retry = Math.min(retry * 2, 300_000);
      }
    }
    state = 'stopped';
  })();

  return {
    state: () => state,
    async stop() {
      stopped = true;
      wake?.();
      if (handle?.isRunning()) await handle.stop();
      // A call to an unreachable Bot API in flight is not waited for (it ends at its timeout).
      await withTimeout(loop, 1_000);
    },
  };
}
