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

export interface Reading {
  analysis: Analysis;
  /** What the message asks the assistant to do, if anything (whole message, or one of its sentences). */
  intent?: IntentGuess;
  /** A sub-project the message names (a registration's preset). */
  subproject?: string;
}

export interface Understood extends Reading {
  resolution: Resolution;
}

/** Intents that one sentence of a longer message can carry ("…I'd like to sign up. Thanks!"). */
const SENTENCE_INTENTS: ReadonlySet<IntentId> = new Set(['register', 'human']);
/** A question searched for its closest topic is at most this long (questions are short; the search
 * is the one step whose cost grows with the text). */
export const SEARCHED = 500;
/**
 * Only this much of a message is analysed (the full text is still logged and handed to staff):
 * the longest question of the kept sets is under 600 characters, and a crafted 4,000-character
 * message must not hold the event loop.
 */
export const ANALYSED = 1_200;

/** The analysed prefix, never ending inside a surrogate pair. */
export function analysedPart(text: string): string {
  if (text.length <= ANALYSED) return text;
  const last = text.charCodeAt(ANALYSED - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? ANALYSED - 1 : ANALYSED);
}
/** Longer than this (tokens: words, or Chinese characters), a text is a letter, not a command. */
const WHOLE_MESSAGE_TOKENS = 30;
/** Readings kept by default, and the longest message kept (short questions repeat; letters do not). */
const CACHED_READINGS = 2_000;
const CACHED_LENGTH = 200;
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
  options: { retriever?: Retriever; threshold?: number; cachedReadings?: number } = {},
) {
  const cached = options.cachedReadings ?? CACHED_READINGS;
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
        return { ...guess, part: s };
    }
    return undefined;
  }

  /**
   * Messages read lately, by their text: a turn asks about its message several times (intent,
   * question, dialog step), and people ask the same questions over and over ("高研班每年办多少期？").
   * A reading does not depend on the conversation, so it can be shared. Bounded; the oldest go first.
   */
  const readings = new Map<string, Reading>();
  function read(whole: string): Reading {
    const text = analysedPart(whole);
    const known = readings.get(text);
    if (known) return known;
    const analysis = understanding.analyze(text);
    const intent = intentOf(analysis);
    const subproject = analysis.clauses
      .flatMap((c) => c.entities)
      .map((m) => m.id)
      .find((id) => facts.entity(id)?.type === 'subproject');
    const reading: Reading = {
      analysis,
      ...(intent ? { intent } : {}),
      ...(subproject ? { subproject } : {}),
    };
    if (cached > 0 && text.length <= CACHED_LENGTH) {
      if (readings.size >= cached) readings.delete(readings.keys().next().value as string);
      readings.set(text, reading);
    }
    return reading;
  }

  return {
    /** What a message says and asks the assistant to do (no answer yet: a dialog step needs none). */
    read,
    /** What a message asks, and the parts of its answer (follow-ups against the last subject). */
    understand(text: string, context?: ConversationSubject): Understood {
      const reading = read(text);
      return { ...reading, resolution: resolver.resolve(reading.analysis, context) };
    },
    /** Does a text read as a question (rather than a name, an employer or a title)? */
    asks: (text: string) => read(text).analysis.clauses.some((c) => c.asks),
    /** What a text asks the assistant to do, if anything (a dialog step's control words). */
    intent: (text: string) => read(text).intent,
    facts,
    retriever,
    threshold,
  };
}

export type Understand = ReturnType<typeof createUnderstand>;
