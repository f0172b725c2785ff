// Answer-quality scoring as ../shared/eval/run-eval.mjs does it (the shared scorer is outside the
// repository, so the tests carry the same rules): a case passes when meta.kind is as expected,
// the replies stay within 1,200 characters and, for answers, contain one alternative of every
// group (NFKC, case-insensitive, digit-group separators ignored, a number never found inside a
// longer one). A conversation sends every turn with one user id and scores the last.
import { readFileSync } from 'node:fs';

interface Turn {
  text: string;
  expect?: string;
  all?: string[][];
}
export interface EvalCase {
  id: string;
  lang: 'zh' | 'en';
  cat?: string;
  text?: string;
  expect?: string;
  all?: string[][];
  turns?: Turn[];
}
export type Post = (userId: string, text: string) => Promise<{ kind: string; text: string }>;

/** Posts to an app's POST /api/chat (in-process): the kind and the replies' text. */
export const chatPost =
  (app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }): Post =>
  async (userId, text) => {
    const res = await app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, text }),
    });
    const body = (await res.json()) as { replies: { text: string }[]; meta: { kind: string } };
    return { kind: body.meta.kind, text: body.replies.map((r) => r.text).join('\n') };
  };

export const readCases = (url: URL): EvalCase[] =>
  readFileSync(url, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as EvalCase);

const norm = (s: string) =>
  String(s ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/(?<![\d.])\d{1,3}(?:[,，' \u00a0\u2009\u202f]\d{3})+(?!\d)/g, (m) => m.replace(/\D/g, ''));

function contains(hay: string, alt: string): boolean {
  if (!alt) return false;
  const first = /\d/.test(alt[0] ?? '');
  const last = /\d/.test(alt[alt.length - 1] ?? '');
  for (let i = hay.indexOf(alt); i !== -1; i = hay.indexOf(alt, i + 1)) {
    if (first && i > 0 && /\d/.test(hay[i - 1] ?? '')) continue;
    if (last && /\d/.test(hay[i + alt.length] ?? '')) continue;
    return true;
  }
  return false;
}

export interface Scored {
  rate: number;
  passed: number;
  total: number;
  failures: string[];
  byCategory: Record<string, [number, number]>;
}

export async function scoreCases(cases: EvalCase[], post: Post, run = 'eval'): Promise<Scored> {
  const failures: string[] = [];
  const byCategory: Record<string, [number, number]> = {};
  let passed = 0;
  for (const c of cases) {
    const turns = c.turns ?? [{ text: c.text ?? '', expect: c.expect, all: c.all }];
    const last = turns[turns.length - 1] as Turn;
    const expect = last.expect ?? c.expect;
    let got = { kind: '', text: '' };
    for (const t of turns) got = await post(`${run}-${c.id}`, t.text);
    const text = norm(got.text);
    let why = '';
    if (got.kind !== expect) why = `kind=${got.kind}, expected ${expect}`;
    else if (text.length > 1200) why = `reply of ${text.length} characters`;
    else if (expect === 'answer') {
      const missing = (last.all ?? c.all ?? []).filter((alts) => !alts.some((a) => contains(text, norm(a))));
      if (missing.length) why = `missing ${missing.map((m) => m[0]).join(', ')}`;
    }
    const cat = c.cat ?? c.lang;
    byCategory[cat] ??= [0, 0];
    const t = byCategory[cat] as [number, number];
    t[1]++;
    if (why) {
      const said = turns.map((x) => x.text).join(' → ');
      failures.push(
        `${c.id} [${cat}] ${said.slice(0, 160)} -> ${why} | ${text.slice(0, 200).replace(/\n/g, ' ')}`,
      );
    } else {
      passed++;
      t[0]++;
    }
  }
  return {
    rate: cases.length ? passed / cases.length : 0,
    passed,
    total: cases.length,
    failures,
    byCategory,
  };
}
