// The answering path in-process: understanding a message and composing its answer from the facts,
// on the real knowledge base. Baseline, measured beside it in the same process: the topic search
// (BM25) that answered alone before the typed facts. Targets: the answer path's p99 at most 2 ms on
// the shared and blind question sets; a message of 4,000 characters understood in under 10 ms, and
// the cost linear in the length (each doubling about doubles it).
import { readFileSync } from 'node:fs';
import { createComposer } from '../src/core/answering/compose.ts';
import { createRetriever } from '../src/core/retriever.ts';
import { createUnderstand } from '../src/core/understanding/understand.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import { percentile } from './paced.ts';

const SETS = [
  'dev-questions.jsonl',
  'dev-hard.jsonl',
  'dev-conversations.jsonl',
  'own-questions.jsonl',
  'review-set-a.jsonl',
  'review-set-b.jsonl',
  'blind-a.jsonl',
  'blind-b.jsonl',
  'blind-c.jsonl',
  'blind-d.jsonl',
  'blind-e.jsonl',
];

/** Every message of the kept question sets (each turn of a conversation). */
function messages(): string[] {
  return SETS.flatMap((f) =>
    readFileSync(new URL(`../test/fixtures/${f}`, import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => {
        const c = JSON.parse(l) as { text?: string; turns?: Array<{ text: string }> };
        return c.turns ? c.turns.map((t) => t.text) : [c.text ?? ''];
      }),
  );
}

/** Long messages of several kinds, each exactly `length` characters. */
export function longMessages(length: number): Record<string, string> {
  const fill = (unit: string) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed;
  };
  return {
    'a letter, Chinese': fill(
      '您好，我是县医院的护士。想请教一下：高级研修项目每年培训多少人？数字技术工程师培育项目有哪些领域？谢谢！',
    ),
    'a letter, English': fill(
      'Dear team, I work in a hospital training office. Could you tell me how many national-level advanced training courses there are every year? Many thanks. ',
    ),
    'typos and pinyin': fill(
      'wat feilds r in the digtal tech enginer projct, shuzi jishu gongchengshi fugai naxie lingyu? ',
    ),
    'no spaces': fill('howmanypeopledoestheadvancedtrainingprojecttraineachyear'),
    'random characters': Array.from({ length }, () => String.fromCharCode(0x4e00 + (next() % 20_000))).join(
      '',
    ),
    'invented words': Array.from({ length }, () => `w${next() % 10_000}x `)
      .join('')
      .slice(0, length),
    digits: '9'.repeat(length),
  };
}

function time(run: () => void, rounds: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    run();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b);
}

export function understandingBench() {
  let started = performance.now();
  const retriever = createRetriever(knowledgeBase);
  const retrieverMs = performance.now() - started;
  started = performance.now();
  // No cached readings: every message below is read afresh, as a new question would be.
  const understand = createUnderstand(knowledgeBase, { retriever, cachedReadings: 0 });
  const understandMs = performance.now() - started;
  const composer = createComposer(knowledgeBase);
  console.log(
    `built: topic search ${retrieverMs.toFixed(0)} ms, analysis tables and intent classifier ${understandMs.toFixed(0)} ms (once per process; per isolate on Workers)`,
  );
  const answer = (text: string) => composer.compose(understand.understand(text).resolution.parts, 'zh');

  const all = messages();
  for (let i = 0; i < 5; i++) {
    for (const m of all) {
      answer(m);
      retriever.search(m, 1);
    }
  }
  const path: number[] = [];
  const search: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const m of all) {
      let t = performance.now();
      answer(m);
      path.push(performance.now() - t);
      t = performance.now();
      retriever.search(m, 1);
      search.push(performance.now() - t);
    }
  }
  path.sort((a, b) => a - b);
  search.sort((a, b) => a - b);
  const p99 = percentile(path, 0.99);
  console.log(
    `answer path, ${all.length} messages x 20: p50 ${percentile(path, 0.5).toFixed(3)} ms  p99 ${p99.toFixed(3)} ms  ${p99 <= 2 ? '(target p99 <= 2 ms: met)' : '(target p99 <= 2 ms: MISSED)'}`,
  );
  console.log(
    `topic search alone (baseline): p50 ${percentile(search, 0.5).toFixed(3)} ms  p99 ${percentile(search, 0.99).toFixed(3)} ms;  ratio p99 answer path : search = ${(p99 / percentile(search, 0.99)).toFixed(2)}`,
  );

  console.log('4,000-character messages (understood and answered; 200 runs each):');
  let worst = 0;
  const long = longMessages(4_000);
  for (const [kind, text] of Object.entries(long)) {
    answer(text);
    const samples = time(() => answer(text), 200);
    const baseline = time(() => retriever.search(text, 1), 200);
    const p99 = percentile(samples, 0.99);
    worst = Math.max(worst, p99);
    console.log(
      `  ${kind.padEnd(18)} median ${percentile(samples, 0.5).toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  max ${(samples[samples.length - 1] ?? 0).toFixed(2)} ms   (search alone of the whole text: median ${percentile(baseline, 0.5).toFixed(2)} ms)`,
    );
  }
  console.log(
    `  worst p99 ${worst.toFixed(2)} ms ${worst < 10 ? '(target < 10 ms: met)' : '(target < 10 ms: MISSED)'}`,
  );

  console.log('linear in the length (median of 20 per length, the Chinese letter and random characters):');
  for (const kind of ['a letter, Chinese', 'random characters'] as const) {
    const medians = [500, 1_000, 2_000, 4_000].map((n) => {
      const text = longMessages(n)[kind] as string;
      answer(text);
      return percentile(
        time(() => answer(text), 20),
        0.5,
      );
    });
    const ratios = medians.slice(1).map((m, i) => (m / (medians[i] as number)).toFixed(2));
    console.log(
      `  ${kind.padEnd(18)} ${medians.map((m) => m.toFixed(2)).join(' / ')} ms at 500/1,000/2,000/4,000; each doubling x ${ratios.join(', x ')}`,
    );
  }
}
