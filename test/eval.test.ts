// Answer quality through POST /api/chat, scored by the rules of test/helpers/eval.ts (those of
// scripts/eval.ts): the example sets, and sets written by other sessions from the programme facts
// (fixtures/program-facts.md) alone, without seeing the knowledge base. Once scored they are no
// longer blind: here they guard against falling below the level reached.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { chatPost, type EvalCase, readCases, type Scored, scoreCases } from './helpers/eval.ts';

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime(parseConfig({ RATE_LIMIT_PER_MINUTE: '100000' }), {
    memory: true,
    logger: { info() {}, error() {} },
  });
});
afterAll(() => rt.close());

const read = (name: string): EvalCase[] => readCases(new URL(`./fixtures/${name}`, import.meta.url));

async function score(name: string): Promise<Scored> {
  const scored = await scoreCases(read(name), chatPost(rt.app), name);
  // The questions that failed are printed only when the test fails (a floor not met).
  if (scored.failures.length)
    onTestFailed(() =>
      console.log(`${name}: ${scored.passed}/${scored.total}\n${scored.failures.join('\n')}`),
    );
  return scored;
}

describe('answer quality', () => {
  it('answers every shared dev question and follow-up, and at least 90% of the hard ones', async () => {
    expect((await score('dev-questions.jsonl')).rate).toBe(1);
    expect((await score('dev-conversations.jsonl')).rate).toBe(1);
    expect((await score('dev-hard.jsonl')).rate).toBeGreaterThanOrEqual(0.9);
  });

  // First scored unseen: review-set-a 89%, review-set-b 90% (earlier sessions); blind-a 47.8%,
  // blind-b 47.9% (before this answering path); blind-d 85.4% (written after it, scored before
  // tuning on it); blind-c 50.0% before this answering path and 89.4% after it and the tuning on
  // set D (held out until then); blind-e 81.2% (written after that, scored before tuning on it);
  // blind-f 82.9% (written after that, scored before tuning on it; 90.0% after). Floors are a
  // little under today's scores.
  it.each([
    ['review-set-a.jsonl', 0.97],
    ['review-set-b.jsonl', 0.97],
    ['own-questions.jsonl', 0.95],
    ['blind-a.jsonl', 0.95],
    ['blind-b.jsonl', 0.95],
    ['blind-c.jsonl', 0.95],
    ['blind-d.jsonl', 0.95],
    ['blind-e.jsonl', 0.95],
    ['blind-f.jsonl', 0.85],
  ])('keeps %s at or above %s', async (file, floor) => {
    expect((await score(file)).rate).toBeGreaterThanOrEqual(floor);
  });

  it('keeps every kind of hard question of the blind sets at 80% or more', async () => {
    const tally: Record<string, [number, number]> = {};
    for (const file of [
      'blind-a.jsonl',
      'blind-b.jsonl',
      'blind-c.jsonl',
      'blind-d.jsonl',
      'blind-e.jsonl',
    ]) {
      for (const [cat, [p, n]] of Object.entries((await score(file)).byCategory)) {
        const [before = 0, all = 0] = tally[cat] ?? [];
        tally[cat] = [before + p, all + n];
      }
    }
    const weak = Object.entries(tally).filter(([, [p, n]]) => p / n < 0.8);
    expect(weak).toEqual([]);
  });
});
