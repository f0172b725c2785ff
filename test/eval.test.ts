// Answer quality through POST /api/chat, scored like ../shared/eval/run-eval.mjs: the dev questions
// plus our own paraphrases, typos, off-topic questions and ways of asking to register.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';

interface Case {
  id: string;
  lang: 'zh' | 'en';
  text: string;
  expect: string;
  all: string[][];
}
const read = (name: string): Case[] =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Case);

const norm = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/(\d)[,，\s](?=\d{3}\b)/g, '$1')
    .replace(/(\d)[,，\s](?=\d{3}\b)/g, '$1');

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime(parseConfig({}), { memory: true, logger: { info() {}, error() {} } });
});
afterAll(() => rt.close());

async function score(cases: Case[]) {
  const failures: string[] = [];
  const tally: Record<string, [number, number]> = {};
  for (const c of cases) {
    const res = await rt.app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `eval-${c.id}`, text: c.text }),
    });
    const body = (await res.json()) as { replies: { text: string }[]; meta: { kind: string } };
    const text = norm(body.replies.map((r) => r.text).join('\n'));
    const missing = c.all.filter((alts) => !alts.some((a) => text.includes(norm(a))));
    const ok = body.meta.kind === c.expect && text.length <= 1200 && missing.length === 0;
    tally[c.lang] ??= [0, 0];
    const t = tally[c.lang] as [number, number];
    t[1]++;
    if (ok) t[0]++;
    else failures.push(`${c.id} ${c.text} -> ${body.meta.kind} ${missing.map((m) => m[0]).join(',')}`);
  }
  const passed = Object.values(tally).reduce((n, [p]) => n + p, 0);
  console.log(
    `eval: ${passed}/${cases.length}`,
    Object.entries(tally).map(([lang, [p, n]]) => `${lang} ${p}/${n}`),
    failures,
  );
  return { rate: passed / cases.length, failures };
}

describe('answer quality', () => {
  it('passes at least 95% of the dev questions, and every registration case', async () => {
    const cases = read('dev-questions.jsonl');
    const { rate, failures } = await score(cases);
    expect(rate).toBeGreaterThanOrEqual(0.95);
    const dialogIds = cases.filter((c) => c.expect === 'dialog').map((c) => c.id);
    expect(dialogIds.length).toBe(4);
    expect(failures.filter((f) => dialogIds.includes(f.split(' ')[0] ?? ''))).toEqual([]);
  });

  // Two sets written by other sessions from program-facts.md alone, without seeing the knowledge
  // base (phone-style fragments, long formal letters, typos, traditional characters, near-domain
  // questions the facts do not answer). They were scored unseen first (89% and 90%), so they are
  // no longer blind: this guards against regressions below today's level.
  it.each([
    ['review-set-a.jsonl', 0.94],
    ['review-set-b.jsonl', 0.92],
  ])('keeps %s at or above %s', async (file, floor) => {
    const { rate } = await score(read(file));
    expect(rate).toBeGreaterThanOrEqual(floor);
  });

  it('passes at least 95% of our own paraphrases, typos and off-topic questions', async () => {
    const { rate } = await score(read('own-questions.jsonl'));
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });
});
