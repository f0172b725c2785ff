// Shows how the assistant reads a message: `npx tsx scripts/try-understand.ts "高研班每年办多少期？"`, or
// `… -f cases.jsonl` for a file of eval cases (conversations keep their subject from turn to turn).
// For tuning the knowledge files: the intent, each clause's entities, attributes (with scores),
// forms and unexplained words, the parts of the answer and the reply.
import { readFileSync } from 'node:fs';
import { createComposer } from '../src/core/answering/compose.ts';
import type { ConversationSubject } from '../src/core/types.ts';
import { createUnderstand } from '../src/core/understanding/understand.ts';
import { knowledgeBase } from '../src/knowledge/content.generated.ts';

const understand = createUnderstand(knowledgeBase);
const composer = createComposer(knowledgeBase);
const [flag, file] = process.argv.slice(2);
type Case = { id?: string; text?: string; turns?: Array<{ text: string }> };
const cases: Case[] =
  flag === '-f' && file
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Case)
    : [{ text: process.argv.slice(2).join(' ') }];
for (const c of cases) {
  let context: ConversationSubject | undefined;
  for (const t of c.turns ?? [{ text: c.text ?? '' }]) {
    const r = understand.understand(t.text, context);
    context = r.resolution.subject ?? context;
    const out = composer.compose(r.resolution.parts, r.analysis.lang ?? 'zh');
    const clauses = r.analysis.clauses.map(
      (k) =>
        `[${k.entities.map((m) => m.id)} | ${[...k.attributes].map(([a, s]) => `${a}:${s.toFixed(2)}`)} | ${[...k.forms]} | ${k.residual}]`,
    );
    console.log(`\n## ${c.id ?? ''} ${t.text.slice(0, 150)}`);
    console.log(`   intent: ${r.intent ? `${r.intent.intent} ${r.intent.confidence.toFixed(2)}` : '-'}`);
    console.log(
      `   clauses: ${clauses.join(' ')}${r.analysis.persona ? ` persona: ${r.analysis.persona.mentions}` : ''}`,
    );
    console.log(
      `   parts: ${r.resolution.parts.map((p) => p.kind).join(', ') || '-'} (confidence ${r.resolution.confidence.toFixed(2)})`,
    );
    console.log(`   ${out.text.replace(/\n/g, ' ')}`);
  }
}
