/**
 * Turns text into search terms, the same way for knowledge entries and for questions.
 *
 * - English: lower case, stopwords dropped, Porter stems, light spelling correction against the
 *   knowledge base's own vocabulary (questions only).
 * - Chinese: no spaces, so each run of Han characters is cut at stopwords and indexed as character
 *   bigrams (single characters stay unigrams).
 * - Synonyms: every phrase of a lexicon group (in any language) adds the group's concept term, so
 *   "AI", "人工智能" and "artificial intelligence" all meet on one term.
 *
 * For questions it also returns "units" (each English content word, each Chinese content character)
 * with the terms that cover them: the assistant's confidence is the share of a question's units
 * that the chosen answer covers, so a question about something the knowledge base never mentions
 * cannot be answered by a loosely related entry.
 */
import { stemmer } from 'stemmer';
import type { Lexicon } from '../knowledge/schema.ts';
import { isHan, normalize } from './normalize.ts';

export interface QueryUnit {
  weight: number;
  terms: string[];
}
export interface AnalyzedQuery {
  terms: string[];
  units: QueryUnit[];
}

type Token = { han: true; text: string } | { han: false; text: string; stem: string; stop: boolean };

interface Phrase {
  parts: string[];
  concept: string;
}

const TOKEN = /\p{Script=Han}+|[^\s\p{Script=Han}]+/gu;
const ALPHA = /^\p{L}+$/u;
const HAN_WEIGHT = 0.5;

const stem = (word: string) => (ALPHA.test(word) && word.length > 2 ? stemmer(word) : word);

/** Spelling corrections remembered. */
const MEMO = 10_000;

export function createAnalyzer(lexicon: Lexicon, toSimplified?: (s: string) => string) {
  const norm = (s: string) => normalize(s, toSimplified);
  const enStop = new Set(lexicon.stopwords.en.map(norm));
  const zhStop = lexicon.stopwords.zh.map(norm).filter((w) => w && [...w].every(isHan));
  const keepHan = (lexicon.keep ?? []).map(norm).filter((w) => w && [...w].every(isHan));

  // Phrase tables, longest first, keyed by the first stem / character.
  const latinPhrases = new Map<string, Phrase[]>();
  const hanPhrases = new Map<string, Phrase[]>();
  const add = (table: Map<string, Phrase[]>, phrase: Phrase) => {
    const key = phrase.parts[0] ?? '';
    const list = table.get(key) ?? [];
    list.push(phrase);
    list.sort((a, b) => b.parts.length - a.parts.length);
    table.set(key, list);
  };
  lexicon.synonyms.forEach((group) => {
    const concept = `~${norm(group[0] ?? '').replace(/ /g, '_')}`;
    for (const raw of group) {
      const text = norm(raw);
      if (!text) continue;
      if ([...text.replace(/ /g, '')].every(isHan))
        add(hanPhrases, { parts: [...text.replace(/ /g, '')], concept });
      else if (![...text].some(isHan)) add(latinPhrases, { parts: text.split(' ').map(stem), concept });
    }
  });
  const zhStopByFirst = new Map<string, string[]>();
  for (const w of zhStop) {
    const list = zhStopByFirst.get(w[0] ?? '') ?? [];
    list.push(w);
    list.sort((a, b) => b.length - a.length);
    zhStopByFirst.set(w[0] ?? '', list);
  }

  type Vocabulary = { words: Set<string>; stems: Set<string>; byLength: Map<number, string[]> };
  let vocabulary: Vocabulary | undefined;

  function tokens(text: string, correct: boolean): Token[] {
    const out: Token[] = [];
    // An acronym in capitals is a word even where its lower-case form is a stopword ("IT", "US").
    const acronyms = new Set(
      (text.normalize('NFKC').match(/\b[A-Z]{2,}\b/g) ?? []).map((w) => w.toLowerCase()),
    );
    for (const m of norm(text).matchAll(TOKEN)) {
      const t = m[0];
      if (isHan(t[0] ?? '')) {
        out.push({ han: true, text: t });
        continue;
      }
      const word = correct ? spell(t) : t;
      const stop = !acronyms.has(t) && (enStop.has(word) || enStop.has(t));
      out.push({ han: false, text: word, stem: stem(word), stop });
    }
    return out;
  }

  /** Finds the longest phrase at `parts[i]`; returns it or undefined. */
  function phraseAt(table: Map<string, Phrase[]>, parts: string[], i: number): Phrase | undefined {
    for (const p of table.get(parts[i] ?? '') ?? []) {
      if (p.parts.every((x, k) => parts[i + k] === x)) return p;
    }
    return undefined;
  }

  function analyze(text: string, correct: boolean): AnalyzedQuery {
    const terms: string[] = [];
    const units: QueryUnit[] = [];
    const toks = tokens(text, correct);
    let i = 0;
    while (i < toks.length) {
      const tok = toks[i] as Token;
      if (tok.han) {
        analyzeHan(tok.text, terms, units);
        i++;
        continue;
      }
      // A run of consecutive English tokens.
      let j = i;
      while (j < toks.length && !(toks[j] as Token).han) j++;
      analyzeLatin(toks.slice(i, j) as Extract<Token, { han: false }>[], terms, units);
      i = j;
    }
    return { terms, units };
  }

  function analyzeLatin(run: Extract<Token, { han: false }>[], terms: string[], units: QueryUnit[]) {
    const stems = run.map((t) => t.stem);
    const unitTerms = run.map((t) => (t.stop ? undefined : [t.stem]));
    let i = 0;
    while (i < run.length) {
      const found = phraseAt(latinPhrases, stems, i);
      // A one-word phrase that is also a stopword ("it") counts only as an acronym ("IT").
      const p = found && !(found.parts.length === 1 && run[i]?.stop) ? found : undefined;
      if (!p) {
        i++;
        continue;
      }
      terms.push(p.concept);
      for (let k = i; k < i + p.parts.length; k++) unitTerms[k]?.push(p.concept);
      i += p.parts.length;
    }
    run.forEach((t, k) => {
      const covering = unitTerms[k];
      if (!covering || t.text.length < 2) return;
      terms.push(t.stem);
      units.push({ weight: 1, terms: covering });
    });
  }

  function analyzeHan(run: string, terms: string[], units: QueryUnit[]) {
    const chars = [...run];
    // Where each character starts in the run (computed once: a scan per character was quadratic).
    const starts: number[] = [];
    const charAt = new Map<number, number>();
    for (let k = 0, o = 0; k < chars.length; o += (chars[k] as string).length, k++) {
      starts.push(o);
      charAt.set(o, k);
    }
    const covering: string[][] = chars.map(() => []);
    const protectedChar = chars.map(() => false);
    let i = 0;
    while (i < chars.length) {
      const p = phraseAt(hanPhrases, chars, i);
      if (!p) {
        i++;
        continue;
      }
      terms.push(p.concept);
      for (let k = i; k < i + p.parts.length; k++) {
        covering[k]?.push(p.concept);
        protectedChar[k] = true;
      }
      i += p.parts.length;
    }
    for (const word of keepHan) {
      const length = [...word].length;
      for (let at = run.indexOf(word); at >= 0; at = run.indexOf(word, at + 1)) {
        const first = charAt.get(at) ?? -1;
        for (let k = first; first >= 0 && k < first + length; k++) protectedChar[k] = true;
      }
    }
    // Cut at stopwords (never inside a lexicon phrase or a kept word), then bigrams per segment.
    const stop = chars.map(() => false);
    for (let k = 0; k < chars.length; ) {
      const w = protectedChar[k]
        ? undefined
        : zhStopByFirst.get(chars[k] ?? '')?.find((s) => run.startsWith(s, starts[k]));
      if (w && [...w].every((_, d) => !protectedChar[k + d])) {
        for (let d = 0; d < [...w].length; d++) stop[k + d] = true;
        k += [...w].length;
      } else k++;
    }
    let start = 0;
    for (let k = 0; k <= chars.length; k++) {
      if (k < chars.length && !stop[k]) continue;
      const seg = chars.slice(start, k);
      if (seg.length === 1) {
        terms.push(seg[0] as string);
        covering[start]?.push(seg[0] as string);
      }
      for (let b = 0; b + 1 < seg.length; b++) {
        const gram = `${seg[b]}${seg[b + 1]}`;
        terms.push(gram);
        covering[start + b]?.push(gram);
        covering[start + b + 1]?.push(gram);
      }
      start = k + 1;
    }
    chars.forEach((_, k) => {
      if (!stop[k]) units.push({ weight: HAN_WEIGHT, terms: covering[k] ?? [] });
    });
  }

  /** Corrections made lately (a crafted message repeats its invented words); bounded, oldest out. */
  const spelled = new Map<string, string>();
  function spell(word: string): string {
    if (!vocabulary || word.length < 6 || !ALPHA.test(word) || enStop.has(word)) return word;
    if (vocabulary.words.has(word) || vocabulary.stems.has(stem(word))) return word;
    const known = spelled.get(word);
    if (known !== undefined) return known;
    const best = closest(word, vocabulary);
    if (spelled.size >= MEMO) spelled.delete(spelled.keys().next().value as string);
    spelled.set(word, best);
    return best;
  }

  function closest(word: string, vocabulary: Vocabulary): string {
    const max = word.length >= 9 ? 2 : 1;
    let best = word;
    let bestDistance = max + 1;
    for (let len = word.length - max; len <= word.length + max; len++) {
      for (const candidate of vocabulary.byLength.get(len) ?? []) {
        const d = distance(word, candidate, bestDistance - 1);
        if (d < bestDistance) {
          bestDistance = d;
          best = candidate;
        }
      }
    }
    return best;
  }

  return {
    /** Every term occurrence of a document field, in order (no spelling correction). */
    terms: (text: string) => analyze(text, false).terms,
    /** Distinct terms and coverage units of a question (spelling corrected against the vocabulary). */
    query: (text: string): AnalyzedQuery => {
      const q = analyze(text, true);
      return { terms: [...new Set(q.terms)], units: q.units };
    },
    /** Sets the words that questions are spell-corrected towards. */
    setVocabulary(texts: Iterable<string>) {
      const words = new Set<string>();
      for (const text of texts) {
        for (const m of norm(text).matchAll(TOKEN)) {
          if (ALPHA.test(m[0]) && !isHan(m[0][0] ?? '') && m[0].length >= 4 && !enStop.has(m[0]))
            words.add(m[0]);
        }
      }
      const byLength = new Map<number, string[]>();
      for (const w of words) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);
      vocabulary = { words, stems: new Set([...words].map(stem)), byLength };
      spelled.clear();
    },
  };
}

export type Analyzer = ReturnType<typeof createAnalyzer>;

/** Optimal-string-alignment distance (Levenshtein plus adjacent swaps), stopping early past `limit`. */
export function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] ?? limit + 1;
}
