// Slack for programme staff: the /kup command, App Home. Bolt behind Hono (see receiver.ts).
import { App, LogLevel } from '@slack/bolt';
import type { Context, Hono } from 'hono';
import type { Handoffs } from '../../src/core/handoff.ts';
import type { TaughtBook } from '../../src/core/taught.ts';
import type { Period, StatsStore } from '../../src/db/stats.ts';
import { limitBody } from '../../src/http/body-limit.ts';
import { CSV_HEADER, csvRows, gapBlocks, helpBlocks, registrationBlocks, statsBlocks } from './blocks.ts';
import { createSlackDesk, listenForCases } from './handoff.ts';
import { HonoReceiver } from './receiver.ts';
import { entryModal, kbCommand, listenForTeaching, STAFF_ONLY, type TeachingOptions } from './teach.ts';

export interface SlackDeps {
  signingSecret: string;
  token: string;
  /** Web API base (tests point it at a local fake). */
  apiUrl?: string;
  staffUserIds: string[];
  /** With no staff list, anyone in the handoff channel may reply as staff (else no one may). */
  handoffAnyone?: boolean;
  /** Known ids of the bot save an auth.test call per request (required on the edge). */
  botId?: string;
  botUserId?: string;
  stats: StatsStore;
  /** What staff taught: /kup teach, /kup kb, the Answer buttons of /kup gaps. */
  taught?: TaughtBook;
  /** Whether a question asked now is answered (a gap staff answered leaves /kup gaps). */
  answers?: (question: string) => boolean;
  /** Today, YYYY-MM-DD (entries expire after their last day). */
  today?: () => string;
  defaultTimeZone?: string;
  waitUntil?: (c: Context, work: Promise<unknown>) => void;
  now?: () => number;
  onError?: (error: unknown, context: string) => void;
}

const PERIODS = new Set<Period>(['today', '7d', '30d', 'all']);

export function createSlackApp(deps: SlackDeps) {
  const report = deps.onError ?? (() => {});
  const receiver = new HonoReceiver({
    signingSecret: deps.signingSecret,
    ...(deps.waitUntil ? { waitUntil: deps.waitUntil } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    onError: (error) => report(error, 'handling a Slack request'),
  });
  const app = new App({
    token: deps.token,
    receiver,
    logLevel: LogLevel.ERROR,
    ...(deps.botId && deps.botUserId ? { botId: deps.botId, botUserId: deps.botUserId } : {}),
    clientOptions: {
      ...(deps.apiUrl ? { slackApiUrl: deps.apiUrl } : {}),
      // A Slack outage must not hold requests for minutes: 5 s a call, two quick retries.
      timeout: 5_000,
      retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1_000 },
      // workerd's fetch does not take redirect: 'error'; 'manual' refuses redirects as well.
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        globalThis.fetch(input, init?.redirect === 'error' ? { ...init, redirect: 'manual' } : init),
    },
  });
  const staff = new Set(deps.staffUserIds);
  const defaultZone = deps.defaultTimeZone ?? 'Asia/Shanghai';
  const answers = deps.answers ?? (() => false);
  const teaching: TeachingOptions | undefined = deps.taught
    ? {
        book: deps.taught,
        isStaff: (user) => staff.has(user),
        answers,
        today: deps.today ?? (() => new Date().toISOString().slice(0, 10)),
        onError: report,
      }
    : undefined;
  if (teaching) listenForTeaching(app, teaching);

  /** The viewer's time zone from their Slack profile, else the default. */
  async function timeZoneOf(client: App['client'], user: string): Promise<string> {
    try {
      const info = await client.users.info({ user });
      return (info.user as { tz?: string } | undefined)?.tz ?? defaultZone;
    } catch {
      return defaultZone;
    }
  }

  app.command('/kup', async ({ command, ack, respond, client }) => {
    // Acknowledge at once (Slack allows 3 s); the answer follows through response_url.
    await ack();
    const words = command.text.trim().split(/\s+/);
    const [sub = 'help', arg] = words.map((w) => w.toLowerCase());
    const isStaff = staff.has(command.user_id);
    const reply = async (blocks: unknown[], text: string): Promise<void> => {
      await respond({ response_type: 'ephemeral', replace_original: false, text, blocks: blocks as never });
    };
    try {
      switch (sub) {
        case 'stats': {
          const period = (arg ?? '7d') as Period;
          if (!PERIODS.has(period))
            return reply(helpBlocks(`Unknown period "${arg}": use today, 7d, 30d or all.`), 'Unknown period');
          const tz = await timeZoneOf(client, command.user_id);
          return reply(statsBlocks(await deps.stats.stats(period, tz)), 'Assistant statistics');
        }
        case 'registrations': {
          const n = Math.min(50, Math.max(1, Number.parseInt(arg ?? '10', 10) || 10));
          const { total, rows } = await deps.stats.latestRegistrations(isStaff ? n : 0);
          return reply(registrationBlocks(total, rows, isStaff), `${total} registrations`);
        }
        case 'gaps':
          // What people typed, even redacted, is for programme staff only.
          if (!isStaff)
            return reply(
              helpBlocks('Unanswered questions quote what people typed: they are only for programme staff.'),
              'Staff only',
            );
          // A gap answered since (taught, or shipped in a release) leaves the list.
          return reply(
            gapBlocks(
              (await deps.stats.gaps(40)).filter((g) => !answers(g.question)).slice(0, 20),
              Boolean(teaching),
            ),
            'Unanswered questions',
          );
        case 'teach':
        case 'kb': {
          if (!teaching) return reply(helpBlocks('Teaching is not set up on this server.'), 'Not available');
          if (!isStaff) return reply(helpBlocks(STAFF_ONLY), 'Staff only');
          if (sub === 'kb') {
            const { blocks, text } = await kbCommand(teaching, words.slice(1), command.user_id);
            return reply(blocks, text);
          }
          await client.views.open({ trigger_id: command.trigger_id, view: entryModal() as never });
          return;
        }
        case 'export': {
          if (!isStaff) {
            return reply(
              helpBlocks('The export contains personal data: it is only for programme staff.'),
              'Staff only',
            );
          }
          let csv = CSV_HEADER;
          let count = 0;
          for await (const page of deps.stats.allRegistrations()) {
            csv += csvRows(page);
            count += page.length;
          }
          // A direct message to the requester, never a channel.
          const dm = await client.conversations.open({ users: command.user_id });
          const channel = dm.channel?.id;
          if (!channel) throw new Error('could not open a direct message');
          const filename = `registrations-${new Date().toISOString().slice(0, 10)}.csv`;
          await client.filesUploadV2({
            channel_id: channel,
            filename,
            title: filename,
            content: csv,
            initial_comment: `${count} registrations`,
          });
          return reply(
            helpBlocks(`Sent you ${count} registrations as ${filename} in a direct message.`),
            'Export sent',
          );
        }
        case 'help':
          return reply(helpBlocks(), 'Help');
        default:
          return reply(helpBlocks(`Unknown subcommand "${sub}".`), 'Unknown subcommand');
      }
    } catch (error) {
      report(error, `/kup ${sub}`);
      return reply(helpBlocks('Sorry, that failed. Please try again in a moment.'), 'Failed');
    }
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab && event.tab !== 'home') return;
    const tz = await timeZoneOf(client, event.user);
    await client.views.publish({
      user_id: event.user,
      view: { type: 'home', blocks: statsBlocks(await deps.stats.stats('7d', tz)) as never },
    });
  });

  app.error(async (error) => report(error, 'Slack listener'));

  return {
    app,
    /** The staff desk for handoffs: cases in `channel`, replies from their threads. */
    desk: (channel: string) => createSlackDesk(app.client, channel),
    listenForCases: (channel: string, handoffs: Handoffs) =>
      listenForCases(app, {
        channel,
        handoffs,
        staffUserIds: deps.staffUserIds,
        ...(deps.handoffAnyone ? { anyone: true } : {}),
        ...(deps.botUserId ? { botUserId: deps.botUserId } : {}),
        onError: report,
      }),
    /** Mounts POST /slack/events: every Slack request (events, slash commands, interactivity). */
    mount(hono: Hono) {
      hono.post('/slack/events', limitBody(1024 * 1024), (c) => receiver.handle(c));
    },
  };
}
