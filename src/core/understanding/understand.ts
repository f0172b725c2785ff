/**
 * The "understand" step of a turn: one message (and the conversation's last subject) in; what it
 * asks the assistant to do, or what it asks about and the parts of the answer, out.
 */
import type { IntentId, KnowledgeBase, KnowledgeEntry } from '../../knowledge/schema.ts';
import { createFacts } from '../answering/facts.ts';
import { createResolver, type Resolution } from '../answering/resolve.ts';
import { createRetriever, type Retriever } from '../retriever.ts';
import { toSimplified } from '../simplified.ts';
import type { ConversationSubject } from '../types.ts';
import { type Analysis, createUnderstanding } from './analyze.ts';
import { createIntentClassifier, type IntentGuess } from './intents.ts';

export interface Understood {
  analysis: Analysis;
  /** What the message asks the assistant to do, if anything (whole message, or one of its sentences). */
  intent?: IntentGuess;
  /** A sub-project the message names (a registration's preset). */
  subproject?: string;
  resolution: Resolution;
}

/** Intents that one sentence of a longer message can carry ("…I'd like to sign up. Thanks!"). */
const SENTENCE_INTENTS: ReadonlySet<IntentId> = new Set(['register', 'human']);
/** A question searched for its closest topic is at most this long (questions are short; the search
 * is the one step whose cost grows with the text). */
export const SEARCHED = 500;
/** Longer than this (tokens: words, or Chinese characters), a text is a letter, not a command. */
const WHOLE_MESSAGE_TOKENS = 30;
/** The sentences and clauses of a long message looked at for a request (requests come early). */
const MAX_PARTS = 16;
/** One sentence of a letter must be this clearly a request. */
const SENTENCE_CONFIDENCE = 0.85;

/**
 * Builds the analysis tables and trains the intent classifier (tens of milliseconds): once per
 * process on Node, once per isolate on Workers.
 */
export function createUnderstand(
  kb: KnowledgeBase,
  options: { retriever?: Retriever; threshold?: number } = {},
) {
  const retriever = options.retriever ?? createRetriever(kb);
  /** Below this confidence the topic search says it is not sure. */
  const threshold = options.threshold ?? 0.6;
  const understanding = createUnderstanding(kb, { toSimplified });
  const intents = createIntentClassifier(kb, understanding.tokenizer, understanding.tables.entityTable);
  const facts = createFacts(kb);
  const retrieve = (text: string): { entry: KnowledgeEntry; confidence: number } | undefined => {
    const hit = retriever.search(text.slice(0, SEARCHED), 1)[0];
    return hit && hit.confidence >= threshold ? hit : undefined;
  };
  const resolver = createResolver(facts, retrieve);

  /**
   * A short message is classified whole; otherwise a sentence or clause of its own may ask to
   * register or for a person ("…I'd like to sign up. Thanks!", "能帮我联系工作人员吗，我的证书丢了"),
   * never a letter as a whole.
   */
  function intentOf(analysis: Analysis): IntentGuess | undefined {
    if (analysis.tokens.length <= WHOLE_MESSAGE_TOKENS) {
      const whole = intents.classify(analysis.tokens);
      if (whole || analysis.parts.length < 2) return whole;
    }
    for (const s of analysis.parts.slice(0, MAX_PARTS)) {
      if (s.end - s.start > WHOLE_MESSAGE_TOKENS) continue;
      const guess = intents.classify(analysis.tokens, s.start, s.end);
      if (guess && SENTENCE_INTENTS.has(guess.intent) && guess.confidence >= SENTENCE_CONFIDENCE)
        return guess;
    }
    return undefined;
  }

  return {
    understand(text: string, context?: ConversationSubject): Understood {
      const analysis = understanding.analyze(text);
      const intent = intentOf(analysis);
      const subproject = analysis.clauses
        .flatMap((c) => c.entities)
        .map((m) => m.id)
        .find((id) => facts.entity(id)?.type === 'subproject');
      return {
        analysis,
        ...(intent ? { intent } : {}),
        ...(subproject ? { subproject } : {}),
        resolution: resolver.resolve(analysis, context),
      };
    },
    /** Does a text read as a question (rather than a name, an employer or a title)? */
    asks: (text: string) => understanding.analyze(text).clauses.some((c) => c.asks),
    /** Only the intent (a dialog step's control words). */
    intent: (text: string) => intents.classify(understanding.tokenizer.tokenize(text).tokens),
    facts,
    retriever,
    threshold,
  };
}

export type Understand = ReturnType<typeof createUnderstand>;
