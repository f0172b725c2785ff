// Measures the two candidate search libraries on our analyzer's terms: MiniSearch and Orama.
import { readFileSync } from 'node:fs';
import { create, insertMultiple, search } from '@orama/orama';
import MiniSearch from 'minisearch';
import { createAnalyzer } from '../src/core/analyzer.ts';
import { toSimplified } from '../src/core/simplified.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import type { KnowledgeBase } from '../src/knowledge/schema.ts';
import { generatedKnowledgeBase } from './generated-kb.ts';

const questions = ['dev-questions.jsonl', 'own-questions.jsonl'].flatMap((f) =>
  readFileSync(new URL(`../test/fixtures/${f}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { text: string; expect: string }),
);
const p = (xs: number[], q: number) => xs.sort((a, b) => a - b)[Math.floor(q * xs.length)] ?? 0;

async function run(kb: KnowledgeBase, label: string) {
  const analyzer = createAnalyzer(kb.lexicon, toSimplified);
  const docs = kb.entries.map((e, i) => ({
    id: String(i),
    lead: [e.title.zh, e.title.en, ...e.keywords, ...e.questions.zh, ...e.questions.en].join('\n'),
    body: `${e.answer.zh}\n${e.answer.en}`,
  }));
  const mini = new MiniSearch({
    fields: ['lead', 'body'],
    tokenize: (t) => analyzer.terms(t),
    processTerm: (t) => t,
    searchOptions: { boost: { lead: 2, body: 1 } },
  });
  mini.addAll(docs);
  const orama = create({
    schema: { lead: 'string', body: 'string' } as const,
    components: {
      tokenizer: {
        language: 'english',
        normalizationCache: new Map(),
        tokenize: (t: string) => analyzer.terms(t),
      },
    },
  });
  await insertMultiple(orama, docs);
  const queries = questions.map((q) => analyzer.query(q.text).terms.join(' '));
  for (const [name, fn] of [
    [
      'minisearch',
      (q: string) => mini.search(q, { tokenize: (s) => s.split(' '), processTerm: (t) => t })[0]?.id,
    ],
    [
      'orama',
      (q: string) =>
        (search(orama, { term: q, boost: { lead: 2, body: 1 }, limit: 5 }) as { hits: { id: string }[] })
          .hits[0]?.id,
    ],
  ] as const) {
    const times: number[] = [];
    for (let r = 0; r < 20; r++)
      for (const q of queries) {
        const t = performance.now();
        fn(q);
        times.push(performance.now() - t);
      }
    const agree =
      label === 'real'
        ? queries.filter((q, i) => questions[i]?.expect === 'answer' && fn(q) !== undefined).length
        : 0;
    console.log(
      `${label.padEnd(10)} ${name.padEnd(11)} p50 ${p(times, 0.5).toFixed(3)} ms  p99 ${p(times, 0.99).toFixed(3)} ms${label === 'real' ? `  top hit for ${agree} answer questions` : ''}`,
    );
  }
}
await run(knowledgeBase, 'real');
await run(generatedKnowledgeBase(1000), 'generated');
