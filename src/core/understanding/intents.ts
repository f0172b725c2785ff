/**
 * What a message asks the assistant to do (register, find a sub-project, reach a person, cancel…),
 * learnt from the examples in knowledge/_intents.yaml, with every named thing standing for its
 * kind ("报个高研班" teaches "报个数字工程师"). Features are words, word pairs, characters and
 * character pairs.
 *
 * Requests (register, triage, human, back to the bot) come from a small softmax classifier
 * trained on all the examples when the assistant starts (a few milliseconds). Questions, and
 * what asks nothing the assistant does, are classes of their own, taught by every topic's example
 * questions and by what people write about themselves or ask of any chatbot: "how does
 * registration work?" is a question, "我是…的一名工作人员" and "tell me a joke" are neither, "put my
 * name down" is a request.
 *
 * Control words of a dialog (cancel, back, help, skip), greetings, thanks and language names are
 * "closed": a short message counts as one only when it is almost one of their examples (cosine
 * similarity), so an answer to a step ("Li Na", "中国科学院") is never taken for one.
 */
import type { IntentId, KnowledgeBase } from '../../knowledge/schema.ts';
import type { PhraseTable } from '../language/phrases.ts';
import type { Token, Tokenizer } from '../language/tokens.ts';

export interface IntentGuess {
  intent: IntentId;
  /** Said by this sentence or clause (token range) of a longer message, not by the message as a whole. */
  part?: { start: number; end: number };
  /** Similarity to the closest example of the intent (0..1). */
  confidence: number;
}

/** A request must have at least this probability… */
const OPEN = 0.6;
/** A closed intent's closest example must be this similar. */
const CLOSED = 0.75;
const MAX_CLOSED_TOKENS = 12;
const EPOCHS = 15;
const RATE = 0.3;

export function createIntentClassifier(
  kb: KnowledgeBase,
  tokenizer: Tokenizer,
  entityTable: PhraseTable<string>,
) {
  const typeOf = new Map(kb.entities.map((e) => [e.id, e.type]));

  /** Features of a token range: placeholders for named things, words, characters and their pairs. */
  function features(tokens: readonly Token[], from = 0, to = tokens.length): string[] {
    const units: string[] = [];
    let i = from;
    while (i < to) {
      const m = entityTable.longestAt(tokens, i, to);
      if (m) {
        units.push(`<${typeOf.get(m.values[0] ?? '') ?? 'thing'}>`);
        i = m.end;
        continue;
      }
      const t = tokens[i] as Token;
      units.push(/^\d+$/.test(t.key) ? '<number>' : t.key);
      i++;
    }
    const out = new Set(units);
    for (let k = 0; k + 1 < units.length; k++) out.add(`${units[k]} ${units[k + 1]}`);
    return [...out];
  }

  const labels: IntentId[] = [];
  const sets: string[][] = [];
  // A topic's example question that is also a request's example ("我适合哪个项目") is the request's.
  const requests = new Set(
    (Object.keys(kb.intents) as IntentId[])
      .filter((id) => id !== 'question')
      .flatMap((id) => [...kb.intents[id].zh, ...kb.intents[id].en])
      .map((t) => features(tokenizer.plain(t)).join('|')),
  );
  for (const id of Object.keys(kb.intents) as IntentId[]) {
    const intent = kb.intents[id];
    let texts = [...intent.zh, ...intent.en];
    if (id === 'question') {
      texts.push(...kb.entries.flatMap((e) => [...e.questions.zh, ...e.questions.en]));
      texts = texts.filter((t) => !requests.has(features(tokenizer.plain(t)).join('|')));
    }
    for (const t of texts) {
      labels.push(id);
      sets.push(features(tokenizer.plain(t)));
    }
  }
  // Rare features weigh more (inverse document frequency over all examples).
  const df = new Map<string, number>();
  for (const fs of sets) for (const f of fs) df.set(f, (df.get(f) ?? 0) + 1);
  const idf = (f: string) => Math.log(1 + sets.length / (df.get(f) ?? 0.5));
  const postings = new Map<string, Array<{ example: number; weight: number }>>();
  const closed = new Set((Object.keys(kb.intents) as IntentId[]).filter((id) => kb.intents[id].closed));
  // Only closed intents are found by similarity: their examples alone are indexed.
  sets.forEach((fs, example) => {
    if (!closed.has(labels[example] as IntentId)) return;
    const norm = Math.sqrt(fs.reduce((s, f) => s + idf(f) ** 2, 0)) || 1;
    for (const f of fs) {
      const list = postings.get(f) ?? [];
      list.push({ example, weight: idf(f) / norm });
      postings.set(f, list);
    }
  });
  const classes = Object.keys(kb.intents) as IntentId[];
  const open: ReadonlySet<IntentId> = new Set(
    classes.filter((id) => !closed.has(id) && id !== 'question' && id !== 'other'),
  );

  // Softmax regression over binary features, trained in a fixed order (the same model every start).
  const featureIds = new Map<string, number>();
  for (const fs of sets) for (const f of fs) if (!featureIds.has(f)) featureIds.set(f, featureIds.size);
  const weights = classes.map(() => new Float64Array(featureIds.size));
  const bias = new Float64Array(classes.length);
  const encoded = sets.map((fs) => fs.map((f) => featureIds.get(f) as number));
  const target = labels.map((l) => classes.indexOf(l));
  const scores = new Float64Array(classes.length);
  function probabilities(x: number[]): Float64Array {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes.length; c++) {
      let s = bias[c] as number;
      const w = weights[c] as Float64Array;
      for (const f of x) s += w[f] as number;
      scores[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < classes.length; c++) {
      scores[c] = Math.exp((scores[c] as number) - max);
      sum += scores[c] as number;
    }
    for (let c = 0; c < classes.length; c++) scores[c] = (scores[c] as number) / sum;
    return scores;
  }
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const rate = RATE / (1 + epoch / 10);
    for (let i = 0; i < encoded.length; i++) {
      // A fixed shuffle: example i of epoch e.
      const k = (i * 7919 + epoch * 104_729) % encoded.length;
      const x = encoded[k] as number[];
      const p = probabilities(x);
      for (let c = 0; c < classes.length; c++) {
        const g = (c === target[k] ? 1 : 0) - (p[c] as number);
        if (g === 0) continue;
        const w = weights[c] as Float64Array;
        for (const f of x) w[f] = (w[f] as number) + rate * g;
        bias[c] = (bias[c] as number) + rate * g * 0.1;
      }
    }
  }

  /** The closest example's similarity, per intent. */
  function similarities(fs: string[]): Map<IntentId, number> {
    const norm = Math.sqrt(fs.reduce((s, f) => s + idf(f) ** 2, 0)) || 1;
    const dots = new Map<number, number>();
    for (const f of fs) {
      const w = idf(f) / norm;
      for (const p of postings.get(f) ?? []) dots.set(p.example, (dots.get(p.example) ?? 0) + w * p.weight);
    }
    const best = new Map<IntentId, number>();
    for (const [example, dot] of dots) {
      const id = labels[example] as IntentId;
      if (dot > (best.get(id) ?? 0)) best.set(id, dot);
    }
    return best;
  }

  return {
    features,
    /** Each intent's closest example's similarity (for tuning the examples). */
    similarities: (tokens: readonly Token[]) => similarities(features(tokens)),
    /** The intent of a token range, or undefined when it asks nothing of the assistant. */
    classify(tokens: readonly Token[], from = 0, to = tokens.length): IntentGuess | undefined {
      if (to <= from) return undefined;
      const fs = features(tokens, from, to);
      if (to - from <= MAX_CLOSED_TOKENS) {
        let best: IntentGuess | undefined;
        for (const [id, sim] of similarities(fs)) {
          if (sim >= CLOSED && (!best || sim > best.confidence)) best = { intent: id, confidence: sim };
        }
        if (best) return best;
      }
      const x = fs.flatMap((f) => featureIds.get(f) ?? []);
      if (!x.length) return undefined;
      const p = probabilities(x);
      let top = 0;
      for (let c = 1; c < classes.length; c++) if ((p[c] as number) > (p[top] as number)) top = c;
      const intent = classes[top] as IntentId;
      return open.has(intent) && (p[top] as number) >= OPEN
        ? { intent, confidence: p[top] as number }
        : undefined;
    },
  };
}

export type IntentClassifier = ReturnType<typeof createIntentClassifier>;
