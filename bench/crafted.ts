// Crafted long questions against normal ones, over HTTP: one client asks the shared dev questions
// one after another, alone (the baseline) and then while four clients send 4,000-character
// crafted messages (letters, typos, random characters, invented words, digits) as fast as they are
// answered. Target: the normal question's p99 under 100 ms under that load.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { parseConfig } from '../src/config.ts';
import { createRuntime } from '../src/runtime.ts';
import { percentile } from './paced.ts';
import { longMessages } from './understanding.ts';

const normal = readFileSync(new URL('../test/fixtures/dev-questions.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { text: string }).text);

export async function craftedBench(seconds: number) {
  // The limits are lifted: what is measured is the cost of the crafted text, not the limiter.
  const rt = await createRuntime(
    parseConfig({
      DATABASE_URL: process.env.BENCH_DATABASE_URL,
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
    }),
    { memory: true, logger: { info() {}, error: (m) => console.error(m) } },
  );
  const server = serve({ fetch: rt.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => setTimeout(r, 200));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/chat`;
  let n = 0;
  const post = async (text: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `crafted-${n++}`, text }),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };

  const asking = async (until: number) => {
    const samples: number[] = [];
    for (let i = 0; Date.now() < until; i++) {
      const t = performance.now();
      await post(normal[i % normal.length] as string);
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b);
  };
  const crafted = Object.values(longMessages(4_000));
  let sent = 0;
  const attacking = async (until: number, offset: number) => {
    for (let i = offset; Date.now() < until; i++) {
      await post(crafted[i % crafted.length] as string);
      sent++;
    }
  };

  await asking(Date.now() + 1_000); // warm up
  const alone = await asking(Date.now() + seconds * 1_000);
  const until = Date.now() + seconds * 1_000;
  const [attacked] = await Promise.all([asking(until), ...[0, 1, 2, 3].map((k) => attacking(until, k))]);
  const line = (label: string, s: number[]) =>
    `${label.padEnd(44)} ${String(s.length).padStart(6)} answers  p50 ${percentile(s, 0.5).toFixed(1)} ms  p99 ${percentile(s, 0.99).toFixed(1)} ms`;
  console.log(line('normal questions alone (baseline)', alone));
  const p99 = percentile(attacked, 0.99);
  console.log(
    `${line('normal questions, four crafted clients', attacked)}  ${p99 < 100 ? '(target p99 < 100 ms: met)' : '(target p99 < 100 ms: MISSED)'}`,
  );
  console.log(
    `crafted 4,000-character messages answered meanwhile: ${sent} (${(sent / seconds).toFixed(0)}/s); ratio p99 attacked : alone = ${(p99 / percentile(alone, 0.99)).toFixed(2)}`,
  );
  server.close();
  await rt.close();
}
