// The whole assistant as operators run it, on Telegram: the Node app with Postgres (or PGlite), a
// fake Bot API on loopback, 1,000 users sending mixed Chinese/English questions and registration
// steps, against the smallest grammY echo bot on Hono with the same packages, in the same run.
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Bot, webhookCallback } from 'grammy';
import { Hono } from 'hono';
import { parseConfig } from '../src/config.ts';
import { createRuntime } from '../src/runtime.ts';
import { BOT, startFakeTelegram } from '../test/helpers/fake-telegram.ts';

const TOKEN = '1000:BENCH';
const SECRET = 'bench-secret';
const QUESTIONS = [
  '高研班每年办多少期？',
  'How many digital technology engineers are trained a year?',
  '数字技术工程师有哪些方向',
  'What are the priority fields?',
  '第一轮取得了哪些成绩',
  'Who issued the plan?',
  '/register',
  'd:consent:agree',
  '王小明',
  '13800001111',
];

// Update ids are unique per bot for good: a repeated id is a duplicate delivery, which the ledger
// (rightly) ignores. Every run and every load continues from a fresh, time-based start.
let updateId = Date.now() * 1_000;

function updateFactory() {
  let n = 0;
  return () => {
    const user = 10_000 + (n % 1_000);
    const step = QUESTIONS[Math.floor(n / 1_000) % QUESTIONS.length] as string;
    n++;
    const from = {
      id: user,
      is_bot: false,
      first_name: 'U',
      language_code: step.match(/[a-z]/i) ? 'en' : 'zh-hans',
    };
    const chat = { id: user, type: 'private', first_name: 'U' };
    if (step.startsWith('d:')) {
      return {
        update_id: ++updateId,
        callback_query: {
          id: String(updateId),
          from,
          chat_instance: '1',
          data: step,
          message: { message_id: 1, date: 0, chat, text: '…' },
        },
      };
    }
    const entities = step.startsWith('/')
      ? [{ type: 'bot_command', offset: 0, length: step.length }]
      : undefined;
    return {
      update_id: ++updateId,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        from,
        chat,
        text: step,
        ...(entities ? { entities } : {}),
      },
    };
  };
}

async function load(url: string, seconds: number, rate?: number) {
  const next = updateFactory();
  return autocannon({
    url,
    method: 'POST',
    connections: 32,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(next()) }) }],
  });
}

export async function telegramBench(databaseUrl: string | undefined, seconds: number, soakSeconds: number) {
  const fake = await startFakeTelegram(TOKEN, { record: false });
  // The baseline: the smallest grammY echo bot on Hono.
  const echo = new Bot(TOKEN, { botInfo: BOT as never, client: { apiRoot: fake.apiRoot } });
  echo.on('message:text', (ctx) => ctx.reply(ctx.message.text));
  echo.on('callback_query:data', (ctx) => ctx.answerCallbackQuery());
  const echoApp = new Hono();
  echoApp.post('/telegram/webhook', webhookCallback(echo, 'hono', { secretToken: SECRET }));

  const runtime = (webhookReply: boolean) =>
    createRuntime(
      parseConfig({
        DATABASE_URL: databaseUrl,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_BOT_INFO: JSON.stringify(BOT),
        TELEGRAM_WEBHOOK_REPLY: webhookReply ? '1' : '0',
        RATE_LIMIT_PER_MINUTE: '100000',
      }),
      {
        memory: true,
        logger: { info() {}, error: (m, e) => console.error(m, e instanceof Error ? e.message : e) },
      },
    );
  const rt = await runtime(false);
  const rtReply = await runtime(true);
  const servers = [
    serve({ fetch: echoApp.fetch, port: 0, hostname: '127.0.0.1' }),
    serve({ fetch: rt.app.fetch, port: 0, hostname: '127.0.0.1' }),
    serve({ fetch: rtReply.app.fetch, port: 0, hostname: '127.0.0.1' }),
  ];
  await new Promise((r) => setTimeout(r, 200));
  const url = (i: number) =>
    `http://127.0.0.1:${(servers[i]?.address() as { port: number } | null)?.port}/telegram/webhook`;

  const line = (name: string, r: autocannon.Result) =>
    `${name.padEnd(44)} ${r.requests.average.toFixed(0).padStart(6)} updates/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${r.errors + r.non2xx}`;
  const echoRun = await load(url(0), seconds);
  const kupRun = await load(url(1), seconds);
  const replyRun = await load(url(2), seconds);
  console.log(line('grammY echo bot on Hono (baseline)', echoRun));
  console.log(line(`assistant on Telegram (${rt.databaseKind}, every turn logged)`, kupRun));
  console.log(line('  … replying in the webhook response', replyRun));
  console.log(
    `ratio assistant : echo bot = ${(kupRun.requests.average / echoRun.requests.average).toFixed(3)}, with webhook replies ${(replyRun.requests.average / echoRun.requests.average).toFixed(3)} (target >= 0.6)`,
  );
  const half = Math.max(1, Math.floor(kupRun.requests.average / 2));
  const halfRun = await load(url(1), seconds, half);
  console.log(
    line(`assistant at half of saturation (${half}/s)`, halfRun),
    halfRun.latency.p99 <= 50 ? '(p99 target <= 50 ms: met)' : '(p99 target <= 50 ms: MISSED)',
  );

  // Memory over a longer run: state lives in Postgres, so RSS should not grow with users.
  const rss = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
  const start = rss();
  const soak = await load(url(1), soakSeconds, half);
  await rt.log.flush();
  console.log(
    `memory over a ${soakSeconds} s run at ${half}/s: RSS ${start} MiB at start, ${rss()} MiB at end (${soak.requests.total} updates, errors ${soak.errors + soak.non2xx})`,
  );
  const written = fake.count();
  console.log(`messages the fake Bot API received: ${written}`);

  // Updates still being handled finish before the databases close.
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve(null)))));
  await new Promise((r) => setTimeout(r, 500));
  await rt.close();
  await rtReply.close();
  await fake.close();
}
