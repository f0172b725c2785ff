// `npm run bench`: the answering path (understanding.ts), normal questions while crafted long
// ones are sent (crafted.ts), retrieval latency on the real and on a generated 1,000-entry knowledge base,
// POST /api/chat throughput against a bare Hono route, dialog steps, then Telegram end to end
// (telegram.ts), /kup stats (stats.ts) and the Worker against Node (worker.ts). Each part runs in a
// process of its own; BENCH_ONLY=<part> runs one.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { describeDatabase, parseConfig } from '../src/config.ts';
import { createRetriever } from '../src/core/retriever.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import type { KnowledgeBase } from '../src/knowledge/schema.ts';
import { createRuntime } from '../src/runtime.ts';
import { craftedBench } from './crafted.ts';
import { generatedKnowledgeBase } from './generated-kb.ts';
import { percentile } from './paced.ts';
import { statsBench } from './stats.ts';
import { taughtBench } from './taught.ts';
import { telegramBench } from './telegram.ts';
import { understandingBench } from './understanding.ts';
import { workerBench } from './worker.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const questions = ['dev-questions.jsonl', 'own-questions.jsonl'].flatMap((f) =>
  readFileSync(new URL(`../test/fixtures/${f}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text),
);

function timeSearch(kb: KnowledgeBase, label: string) {
  const started = performance.now();
  const retriever = createRetriever(kb);
  const buildMs = performance.now() - started;
  for (const q of questions) retriever.search(q); // warm up
  const samples: number[] = [];
  for (let round = 0; round < 50; round++) {
    for (const q of questions) {
      const t = performance.now();
      retriever.search(q);
      samples.push(performance.now() - t);
    }
  }
  samples.sort((a, b) => a - b);
  const p50 = percentile(samples, 0.5);
  const p99 = percentile(samples, 0.99);
  console.log(
    `retrieval, ${label.padEnd(26)} entries=${String(kb.entries.length).padStart(4)}  index ${buildMs.toFixed(0).padStart(4)} ms  p50 ${p50.toFixed(3)} ms  p99 ${p99.toFixed(3)} ms  ${p99 <= 1 ? '(target p99 <= 1 ms: met)' : '(target p99 <= 1 ms: MISSED)'}`,
  );
  return { p50, p99 };
}

// Throughput is measured, not the abuse limit: the per-conversation rate limit is lifted.
const benchConfig = () =>
  parseConfig({ DATABASE_URL: process.env.BENCH_DATABASE_URL, RATE_LIMIT_PER_MINUTE: '100000' });

async function load(url: string, body?: () => string) {
  const result = await autocannon({
    url,
    connections: 16,
    duration: seconds,
    ...(body
      ? {
          method: 'POST' as const,
          headers: { 'content-type': 'application/json' },
          requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
        }
      : { method: 'GET' as const }),
  });
  return result;
}

async function httpBench() {
  const rt = await createRuntime(benchConfig(), {
    memory: true,
    logger: { info() {}, error: (m) => console.error(m) },
  });
  const bare = new Hono();
  bare.get('/fixed', (c) => c.json({ replies: [{ text: 'fixed' }], meta: { kind: 'answer' } }));
  const chatServer = serve({ fetch: rt.app.fetch, port: 0, hostname: '127.0.0.1' });
  const bareServer = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => setTimeout(r, 200));
  const port = (s: typeof chatServer) => (s.address() as { port: number }).port;

  // 1,000 web chat users (a fresh set each run), each asking the same question.
  const first = Date.now();
  let n = 0;
  const body = () =>
    JSON.stringify({
      userId: `bench-${first}-${n++ % 1_000}`,
      text: 'How many advanced training courses are held each year?',
      ...(process.env.BENCH_LANG ? { lang: 'en' } : {}),
    });
  const countRows = async () =>
    Number(
      (
        await rt.db
          .selectFrom('interactions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  const before = await countRows();
  const baseline = await load(`http://127.0.0.1:${port(bareServer)}/fixed`);
  const chat = await load(`http://127.0.0.1:${port(chatServer)}/api/chat`, body);
  await rt.log.flush();
  const logged = (await countRows()) - before;
  const line = (name: string, r: autocannon.Result) =>
    `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${r.errors + r.non2xx}`;
  console.log(line('bare Hono route (fixed JSON)', baseline));
  console.log(line(`POST /api/chat (${rt.databaseKind}, logged)`, chat));
  console.log(
    `ratio /api/chat : bare Hono = ${(chat.requests.average / baseline.requests.average).toFixed(3)}`,
  );
  console.log(
    `interaction rows written during the run: ${logged} (${(logged / chat.requests.total).toFixed(2)} per answered request)`,
  );
  chatServer.close();
  bareServer.close();
  await rt.close();
  return chat.requests.average;
}

/** Whole registrations over HTTP by concurrent users: dialog steps/s, and one dialog's stored size. */
async function dialogBench(answersPerSecond: number) {
  const rt = await createRuntime(benchConfig(), {
    memory: true,
    logger: { info() {}, error: (m) => console.error(m) },
  });
  const server = serve({ fetch: rt.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => setTimeout(r, 200));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/chat`;
  const steps: Array<Record<string, string>> = [
    { text: '我要报名' },
    { choice: 'd:consent:agree' },
    { text: '张伟' },
    { text: '13812345678' },
    { text: 'zhang.wei@example.com' },
    { text: '某某研究院' },
    { choice: 'd:title:associate-senior' },
    { choice: 'd:field:new-materials' },
    { choice: 'd:subproject:advanced-training' },
    { text: '沪' },
    { choice: 'd:experience:11-20' },
    { choice: 'd:review:confirm' },
  ];
  let done = 0;
  let errors = 0;
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const user = async (u: number) => {
    for (let round = 0; Date.now() < deadline; round++) {
      const userId = `bench-dialog-${process.pid}-${u}-${round}`;
      for (const body of steps) {
        const t = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId, ...body }),
        });
        const turn = (await res.json()) as { meta?: { kind: string } };
        latencies.push(performance.now() - t);
        if (!res.ok || turn.meta?.kind !== 'dialog') errors++;
        done++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 16 }, (_, u) => user(u)));
  const rate = done / ((performance.now() - started) / 1000);
  latencies.sort((a, b) => a - b);

  // The stored size of one dialog waiting at its review card, every answer given.
  const sizeUser = `bench-size-${process.pid}`;
  for (const body of steps.slice(0, -1)) {
    await rt.app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: sizeUser, ...body }),
    });
  }
  const size = await sql<{ text_bytes: number; stored_bytes: number }>`
    select octet_length(state::text)::int as text_bytes, pg_column_size(state)::int as stored_bytes
    from dialogs where conversation_id = ${`web:${sizeUser}`}`.execute(rt.db);
  const registrations = await rt.db
    .selectFrom('registrations')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  console.log(
    `dialog steps over HTTP (${rt.databaseKind}, 16 users)  ${rate.toFixed(0).padStart(6)} steps/s  p50 ${percentile(latencies, 0.5).toFixed(1)} ms  p99 ${percentile(latencies, 0.99).toFixed(1)} ms  errors ${errors}`,
  );
  console.log(`ratio dialog steps : /api/chat answers = ${(rate / answersPerSecond).toFixed(3)}`);
  console.log(`registrations confirmed during the run: ${registrations?.n}`);
  const s = size.rows[0];
  console.log(
    `one dialog at its review card: ${s?.text_bytes} bytes of JSON, ${s?.stored_bytes} bytes stored (target <= 1024: ${(s?.stored_bytes ?? 0) <= 1024 ? 'met' : 'MISSED'})`,
  );
  server.close();
  await rt.close();
}

const PARTS = [
  'understanding',
  'crafted',
  'retrieval',
  'taught',
  'http',
  'telegram',
  'stats',
  'worker',
] as const;
const only = process.env.BENCH_ONLY;
if (only === undefined) {
  // Each part in a process of its own, one after another: what one part leaves behind (a generated
  // knowledge base, runtimes, a larger heap for the collector to mark) does not weigh on the next.
  // Every ratio is still taken within one process, against a baseline measured beside it.
  console.log(`node ${process.version}, ${seconds} s per load run`);
  console.log(
    `database: ${process.env.BENCH_DATABASE_URL ? describeDatabase({ DATABASE_URL: process.env.BENCH_DATABASE_URL, DATA_DIR: '' }) : 'in-memory PGlite (set BENCH_DATABASE_URL for Postgres)'}`,
  );
  for (const part of PARTS) {
    console.log('');
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_ONLY: part, BENCH_PART: '1' },
      stdio: 'inherit',
    });
    if (run.status !== 0) process.exitCode = 1;
  }
} else {
  if (!process.env.BENCH_PART) console.log(`node ${process.version}, ${seconds} s per load run\n`);
  if (only === 'understanding') {
    understandingBench();
  } else if (only === 'crafted') {
    await craftedBench(seconds);
  } else if (only === 'taught') {
    taughtBench();
  } else if (only === 'retrieval') {
    const real = timeSearch(knowledgeBase, 'real knowledge base');
    const big = timeSearch(generatedKnowledgeBase(1_000), 'generated knowledge base');
    console.log(`ratio p99 generated : real = ${(big.p99 / real.p99).toFixed(2)}`);
  } else if (only === 'http') {
    const answersPerSecond = await httpBench();
    await dialogBench(answersPerSecond);
  } else if (only === 'telegram') {
    await telegramBench(
      process.env.BENCH_DATABASE_URL,
      seconds,
      Number(process.env.BENCH_SOAK_SECONDS ?? 60),
    );
  } else if (only === 'stats') {
    await statsBench(process.env.BENCH_DATABASE_URL);
  } else if (only === 'worker') {
    await workerBench(process.env.BENCH_DATABASE_URL);
  } else {
    console.error(`BENCH_ONLY must be one of: ${PARTS.join(', ')}`);
    process.exitCode = 2;
  }
}
