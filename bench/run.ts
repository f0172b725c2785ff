// `npm run bench`: retrieval latency on the real and on a generated 1,000-entry knowledge base, and
// POST /api/chat throughput against a bare Hono route in the same process (ratios, same run).
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { parseConfig } from '../src/config.ts';
import { createRetriever } from '../src/core/retriever.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import type { KnowledgeBase } from '../src/knowledge/schema.ts';
import { createRuntime } from '../src/runtime.ts';
import { generatedKnowledgeBase } from './generated-kb.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const questions = ['dev-questions.jsonl', 'own-questions.jsonl'].flatMap((f) =>
  readFileSync(new URL(`../test/fixtures/${f}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text),
);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

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

async function load(url: string, body?: string) {
  const result = await autocannon({
    url,
    connections: 16,
    duration: seconds,
    ...(body
      ? { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body }
      : { method: 'GET' as const }),
  });
  return result;
}

async function httpBench() {
  const rt = await createRuntime(parseConfig({ DATABASE_URL: process.env.BENCH_DATABASE_URL }), {
    memory: true,
    logger: { info() {}, error: (m) => console.error(m) },
  });
  const bare = new Hono();
  bare.get('/fixed', (c) => c.json({ replies: [{ text: 'fixed' }], meta: { kind: 'answer' } }));
  const chatServer = serve({ fetch: rt.app.fetch, port: 0, hostname: '127.0.0.1' });
  const bareServer = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => setTimeout(r, 200));
  const port = (s: typeof chatServer) => (s.address() as { port: number }).port;

  const body = JSON.stringify({
    userId: 'bench',
    text: 'How many advanced training courses are held each year?',
    ...(process.env.BENCH_LANG ? { lang: 'en' } : {}),
  });
  const baseline = await load(`http://127.0.0.1:${port(bareServer)}/fixed`);
  const chat = await load(`http://127.0.0.1:${port(chatServer)}/api/chat`, body);
  await rt.log.flush();
  const logged = Number(
    (
      await rt.db
        .selectFrom('interactions')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const line = (name: string, r: autocannon.Result) =>
    `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${r.errors + r.non2xx}`;
  console.log(line('bare Hono route (fixed JSON)', baseline));
  console.log(line(`POST /api/chat (${rt.databaseKind}, logged)`, chat));
  console.log(
    `ratio /api/chat : bare Hono = ${(chat.requests.average / baseline.requests.average).toFixed(3)}`,
  );
  console.log(`interaction rows written during the run: ${logged} (2 per answered request)`);
  chatServer.close();
  bareServer.close();
  await rt.close();
}

console.log(`node ${process.version}, ${seconds} s per load run\n`);
const only = process.env.BENCH_ONLY;
if (only !== 'http') {
  const real = timeSearch(knowledgeBase, 'real knowledge base');
  const big = timeSearch(generatedKnowledgeBase(1_000), 'generated knowledge base');
  console.log(`ratio p99 generated : real = ${(big.p99 / real.p99).toFixed(2)}\n`);
}
if (only !== 'retrieval') await httpBench();
