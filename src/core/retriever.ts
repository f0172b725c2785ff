/**
 * Bilingual retrieval over the knowledge base: MiniSearch (BM25+, field boosts) on our analyzer's
 * terms, and a confidence that does not depend on the size of the knowledge base: the weighted
 * share of the question's words (Chinese characters count half) that the chosen entry covers.
 */
import MiniSearch from 'minisearch';
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/schema.ts';
import { type AnalyzedQuery, createAnalyzer } from './analyzer.ts';

export interface RetrievalHit {
  entry: KnowledgeEntry;
  score: number;
  /** 0..1: the share of the question this entry accounts for. */
  confidence: number;
}

interface Doc {
  id: number;
  title: string;
  keywords: string;
  questions: string;
  body: string;
}

const FIELDS = ['title', 'keywords', 'questions', 'body'] as const;
const CANDIDATES = 5;

export function createRetriever(kb: KnowledgeBase, options: { toSimplified?: (s: string) => string } = {}) {
  const analyzer = createAnalyzer(kb.lexicon, options.toSimplified);
  const docs: Doc[] = kb.entries.map((e, id) => ({
    id,
    title: `${e.title.zh}\n${e.title.en}`,
    keywords: e.keywords.join('\n'),
    questions: [...e.questions.zh, ...e.questions.en].join('\n'),
    body: `${e.answer.zh}\n${e.answer.en}`,
  }));
  analyzer.setVocabulary([...docs.flatMap((d) => FIELDS.map((f) => d[f])), ...kb.lexicon.synonyms.flat()]);
  const docTerms = docs.map((d) => new Set(FIELDS.flatMap((f) => analyzer.terms(d[f]))));

  const index = new MiniSearch<Doc>({
    fields: [...FIELDS],
    storeFields: [],
    tokenize: (text) => analyzer.terms(text),
    processTerm: (term) => term,
    searchOptions: {
      boost: { title: 2, keywords: 2, questions: 1.5, body: 1 },
      tokenize: (text) => text.split(' '),
      processTerm: (term) => term,
      combineWith: 'OR',
    },
  });
  index.addAll(docs);

  function coverage(q: AnalyzedQuery, doc: number): number {
    const terms = docTerms[doc];
    let total = 0;
    let covered = 0;
    for (const unit of q.units) {
      total += unit.weight;
      if (terms && unit.terms.some((t) => terms.has(t))) covered += unit.weight;
    }
    return total === 0 ? 0 : covered / total;
  }

  return {
    /** The best entries for a question, best first (at most `limit`). */
    search(text: string, limit = 3): RetrievalHit[] {
      const q = analyzer.query(text);
      if (q.terms.length === 0) return [];
      const results = index.search(q.terms.join(' ')).slice(0, CANDIDATES);
      return results
        .map((r) => ({
          entry: kb.entries[r.id as number] as KnowledgeEntry,
          score: r.score,
          confidence: coverage(q, r.id as number),
        }))
        .slice(0, limit);
    },
    analyze: (text: string) => analyzer.query(text),
  };
}

export type Retriever = ReturnType<typeof createRetriever>;
