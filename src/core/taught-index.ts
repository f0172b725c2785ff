/**
 * Searching what staff taught: the live taught entries in a BM25 index of their own, read with the
 * same analyzer and confidence as the shipped topics (built again when the entries change).
 */
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/schema.ts';
import { createRetriever } from './retriever.ts';
import { isLive, type TaughtEntry } from './taught.ts';

export interface TaughtHit {
  entry: TaughtEntry;
  confidence: number;
}

export interface TaughtIndex {
  /** The taught entry that best fits a question, if any. */
  search(text: string): TaughtHit | undefined;
  size: number;
}

/** `today` (YYYY-MM-DD) is asked at each search: an entry stops being used the day after its last day. */
export function createTaughtIndex(
  kb: KnowledgeBase,
  entries: TaughtEntry[],
  today: () => string,
): TaughtIndex {
  const live = entries.filter((e) => e.status === 'active');
  if (!live.length) return { search: () => undefined, size: 0 };
  // As topics: the example questions lead, the answer is the body.
  const topics: KnowledgeEntry[] = live.map((e) => ({
    id: `kb:${e.id}`,
    about: 'project',
    title: { zh: e.questions[0] ?? '', en: e.questions[0] ?? '' },
    questions: { zh: e.questions, en: [] },
    keywords: [],
    related: [],
    sources: [],
    facts: [],
    answer: e.answer,
  }));
  const byId = new Map(live.map((e) => [`kb:${e.id}`, e]));
  const retriever = createRetriever({ ...kb, entries: topics });
  return {
    size: live.length,
    search(text) {
      const day = today();
      for (const hit of retriever.search(text, 5)) {
        const entry = byId.get(hit.entry.id);
        if (entry && isLive(entry, day)) return { entry, confidence: hit.confidence };
      }
      return undefined;
    },
  };
}
