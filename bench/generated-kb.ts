import { knowledgeBase } from '../src/knowledge/content.generated.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../src/knowledge/schema.ts';

export /** 1,000 entries made from the real ones: same shape and vocabulary, shuffled into new topics. */
function generatedKnowledgeBase(size: number): KnowledgeBase {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const real = knowledgeBase.entries;
  const words = real.flatMap((e) => `${e.answer.en} ${e.questions.en.join(' ')}`.split(/\s+/));
  const hanText = real.map((e) => e.answer.zh).join('');
  const han = (n: number) => {
    const at = Math.floor(rand() * (hanText.length - n));
    return hanText.slice(at, at + n);
  };
  const sentence = (n: number) => Array.from({ length: n }, () => pick(words)).join(' ');
  const entries: KnowledgeEntry[] = Array.from({ length: size }, (_, i) => {
    const base = pick(real);
    return {
      id: `generated-${i}`,
      title: { zh: han(8), en: sentence(4) },
      questions: {
        zh: Array.from({ length: 6 }, () => han(12)),
        en: Array.from({ length: 6 }, () => sentence(8)),
      },
      keywords: Array.from({ length: 10 }, () => (rand() < 0.5 ? han(3) : pick(words))),
      related: [],
      about: base.about,
      sources: base.sources,
      facts: [],
      answer: { zh: han(120), en: sentence(70) },
    };
  });
  return { ...knowledgeBase, entries: [...real, ...entries].slice(0, size) };
}
