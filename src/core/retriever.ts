/**
 * Bilingual retrieval over the knowledge base: BM25 on our analyzer's terms (see bm25-index.ts), and
 * a confidence that does not depend on the size of the knowledge base: the weighted share of the
 * question's words (Chinese characters count half) that the chosen entry covers.
 */
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/schema.ts';
import { type AnalyzedQuery, createAnalyzer } from './analyzer.ts';
import { createBm25Index } from './bm25-index.ts';
import { toSimplified } from './simplified.ts';

export interface RetrievalHit {
  entry: KnowledgeEntry;
  score: number;
  /** 0..1: the share of the question this entry accounts for. */
  confidence: number;
}

/** A question word the knowledge base never uses weighs this much more than one it does: it is
 * usually what the question is really about (a fee, a deadline, a salary). */
const FOREIGN_WEIGHT = 1.5;

export function createRetriever(kb: KnowledgeBase, options: { toSimplified?: (s: string) => string } = {}) {
  const analyzer = createAnalyzer(kb.lexicon, options.toSimplified ?? toSimplified);
  const lead = (e: KnowledgeEntry) =>
    [e.title.zh, e.title.en, ...e.keywords, ...e.questions.zh, ...e.questions.en].join('\n');
  const body = (e: KnowledgeEntry) => `${e.answer.zh}\n${e.answer.en}`;
  analyzer.setVocabulary([...kb.entries.flatMap((e) => [lead(e), body(e)]), ...kb.lexicon.synonyms.flat()]);
  const index = createBm25Index(
    kb.entries,
    [
      { text: lead, boost: 2 },
      { text: body, boost: 1 },
    ],
    analyzer.terms,
  );

  function coverage(q: AnalyzedQuery, doc: number): number {
    const terms = index.docTerms[doc];
    let total = 0;
    let covered = 0;
    for (const unit of q.units) {
      const foreign = !unit.terms.some((t) => index.docFreq.has(t));
      const weight = foreign ? unit.weight * FOREIGN_WEIGHT : unit.weight;
      total += weight;
      if (terms && unit.terms.some((t) => terms.has(t))) covered += weight;
    }
    return total === 0 ? 0 : covered / total;
  }

  return {
    /** The best entries for a question, best first (at most `limit`). */
    search(text: string, limit = 3): RetrievalHit[] {
      const q = analyzer.query(text);
      if (q.terms.length === 0) return [];
      return index.search(q.terms, limit).map((r) => ({
        entry: kb.entries[r.doc] as KnowledgeEntry,
        score: r.score,
        confidence: coverage(q, r.doc),
      }));
    },
    analyze: (text: string) => analyzer.query(text),
  };
}

export type Retriever = ReturnType<typeof createRetriever>;
