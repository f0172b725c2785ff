/**
 * Splits a message into tokens that phrases are matched on, the same way for the knowledge base's
 * phrases and for what people type: one token per Chinese character, one per Latin word (lower
 * case, singular as its key), sentence and clause boundaries kept as marks.
 *
 * What people type is also repaired, against the knowledge base's own vocabulary: small English
 * typos ("mnay", "educaton"), words run together ("howmanycourses"), pinyin with or without tones
 * ("gāojí yánxiū", "shuzijishu gongchengshi"), Traditional characters and full-width forms.
 * Everything here is linear in the length of the text: each word is repaired once (memoised) and
 * looked up in tables of bounded depth.
 */
import { distance } from '../analyzer.ts';
import { canonicalNumbers } from '../normalize.ts';

export interface Token {
  /** What phrases match on: a Chinese character, or a Latin word's singular. */
  key: string;
  /** The word as read (corrected, lower case), or the character. */
  text: string;
  han: boolean;
  /** Typed in capitals ("IT", "MOST"): an acronym, even where the word is also an ordinary one. */
  caps?: boolean;
  /** A repaired typo: it counts as known only where it makes a phrase ("serie" is not "serves"). */
  fixed?: boolean;
  /** Where it came from in the normalised text (for quoting it back). */
  start: number;
  end: number;
}

/** A boundary between tokens: `hard` ends a sentence (。？!), `soft` a clause (，,：). */
export interface Boundary {
  at: number;
  hard: boolean;
  question: boolean;
}

export interface Tokens {
  /** The normalised text the offsets refer to. */
  text: string;
  tokens: Token[];
  /** Boundary before token index `at`. */
  boundaries: Boundary[];
}

const HAN = /\p{Script=Han}/u;
/**
 * A Chinese character, a run of other letters and digits, or punctuation that ends a sentence or
 * clause (a dash between words too: "new round vs first round - how many…", not "2021—2030").
 */
const PIECE =
  /(\p{Script=Han})|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)|([。！？!?；;\n[\]【】]|\.(?=\s|$)|[，,：:、]|(?<=\s)[-–—]{1,3}(?=\s)|(?<!\d)—{1,2}(?!\d))/gu;
const ALPHA = /^[a-z]+$/;
const ACCENTED = /[\u00c0-\u024f\u1e00-\u1eff]/;
const TONE_DIGITS = /^(?:[a-z]+[1-5]){2,}[a-z]*$/;

/**
 * A word's key: its singular ("courses" → "course", "bodies" → "body"), nothing more. A full
 * stemmer would make one word of "participants" and "participate", "listed" and "list", which
 * ask different things here; the knowledge base lists the forms of its verbs instead.
 */
/** Words whose -s is not a plural. */
const UNCOUNTED = new Set(['news', 'series', 'species', 'means', 'headquarters', 'whereas', 'perhaps']);

export function stem(word: string): string {
  if (word.length <= 3 || !ALPHA.test(word)) return word;
  if (word.endsWith("'s")) return word.slice(0, -2);
  if (UNCOUNTED.has(word) || /(ss|us|is|ics)$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ch|sh|x|z|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

export interface TokenizerOptions {
  toSimplified?: (s: string) => string;
  /** Latin words the knowledge base uses (and English function words): what typos are corrected to. */
  vocabulary?: Iterable<string>;
  /** Pinyin (toneless, no spaces) → Chinese phrase. */
  pinyin?: Record<string, string>;
  /** Character → its pinyin: a homophone typed for a phrase's character is read as it ("数子技术工程师"). */
  charPinyin?: Record<string, string>;
}

export function createTokenizer(options: TokenizerOptions = {}) {
  const toSimplified = options.toSimplified ?? ((s: string) => s);
  const words = new Set<string>();
  for (const w of options.vocabulary ?? []) if (ALPHA.test(w)) words.add(w);
  const stems = new Set([...words].map(stem));
  const byLength = new Map<number, string[]>();
  for (const w of words) {
    if (w.length < 3) continue;
    const list = byLength.get(w.length) ?? [];
    list.push(w);
    byLength.set(w.length, list);
  }
  const pinyin = new Map(Object.entries(options.pinyin ?? {}));
  const longestPinyin = Math.max(0, ...[...pinyin.keys()].map((k) => k.length));
  const charPinyin = new Map(Object.entries(options.charPinyin ?? {}));
  const longestPhrase = Math.max(0, ...[...pinyin.values()].map((v) => v.length));
  /** The sound each known phrase starts with: a character that starts none starts no homophone. */
  const firstSounds = new Set([...pinyin.values()].map((v) => charPinyin.get(v[0] ?? '') ?? ''));

  /**
   * Homophone typos (the commonest slip of a pinyin keyboard): where a run of characters sounds like
   * a known phrase of three characters or more and differs from it in one character (two from six
   * characters), it is read as the phrase. The first 500 characters are looked at.
   */
  function homophones(tokens: Token[]): void {
    const end = Math.min(tokens.length, 500);
    let i = 0;
    while (i < end) {
      const first = tokens[i] as Token;
      if (!first.han || !firstSounds.has(charPinyin.get(first.key) ?? '')) {
        i++;
        continue;
      }
      let matched = 0;
      let sound = '';
      const sounds: string[] = [];
      for (let k = i; k < end && k - i < longestPhrase; k++) {
        const t = tokens[k] as Token;
        const s = t.han ? charPinyin.get(t.key) : undefined;
        if (!s) break;
        sound += s;
        sounds.push(sound);
      }
      for (let len = sounds.length; len >= 3 && !matched; len--) {
        const phrase = pinyin.get(sounds[len - 1] as string);
        if (!phrase || [...phrase].length !== len) continue;
        const chars = [...phrase];
        let differ = 0;
        for (let d = 0; d < len; d++) if ((tokens[i + d] as Token).key !== chars[d]) differ++;
        if (differ > (len >= 6 ? 2 : 1)) continue;
        for (let d = 0; d < len && differ; d++) {
          const t = tokens[i + d] as Token;
          if (t.key !== chars[d])
            tokens[i + d] = { ...t, key: chars[d] as string, text: chars[d] as string, fixed: true };
        }
        matched = len;
      }
      i += matched || 1;
    }
  }

  /** Repairs of words seen before (bounded: cleared when full). */
  const repaired = new Map<string, string[]>();
  /** Words a message may have repaired: past this, the rest are taken as written (a 4,000-character
   * message of invented words costs the same as a short one). */
  const MAX_REPAIRS = 64;
  let repairsLeft = MAX_REPAIRS;

  /**
   * A typo corrected to the knowledge base's vocabulary; the word itself when nothing is close.
   * Short words may only have two letters swapped or one missing or extra ("frist", "bilt");
   * longer ones also a wrong letter, and from nine letters two mistakes; never to a word under four
   * letters ("wait" is not "wat"). Among equally close words, a swap wins ("mnay" is "many", not
   * "may"), then the same first letter. Words of two or three letters only have two letters
   * swapped ("teh", "adn", "fo").
   */
  function correct(word: string): string {
    if (!ALPHA.test(word) || words.has(word) || stems.has(stem(word))) return word;
    if (word.length < 4) {
      for (let i = word.length - 2; i >= 0; i--) {
        const swapped = `${word.slice(0, i)}${word[i + 1]}${word[i]}${word.slice(i + 2)}`;
        if (words.has(swapped)) return swapped;
      }
      return word;
    }
    const limit = word.length >= 9 ? 2 : 1;
    let best = word;
    let bestCost = limit + 1;
    for (let len = Math.max(4, word.length - limit); len <= word.length + limit; len++) {
      for (const candidate of byLength.get(len) ?? []) {
        const d = distance(word, candidate, limit);
        if (d > limit) continue;
        const swap = isSwap(word, candidate);
        if (word.length <= 5 && len === word.length && !swap) continue;
        const cost = d + (swap ? 0 : 0.25) + (candidate[0] === word[0] ? 0 : 0.5);
        if (cost < bestCost) {
          bestCost = cost;
          best = candidate;
        }
      }
    }
    return best;
  }

  /**
   * Splits a long unknown word into vocabulary words ("howmanycoursesayear"), or undefined: the
   * fewest words, and of those the split with the longest words.
   */
  function wordBreak(word: string): string[] | undefined {
    if (word.length < 8 || word.length > 60 || !ALPHA.test(word)) return undefined;
    const n = word.length;
    const best: Array<{ pieces: string[]; score: number } | undefined> = new Array(n + 1);
    best[0] = { pieces: [], score: 0 };
    for (let i = 0; i < n; i++) {
      const before = best[i];
      if (!before || before.pieces.length >= 12) continue;
      for (let j = i + 1; j <= Math.min(n, i + 20); j++) {
        const piece = word.slice(i, j);
        if (!words.has(piece) || (piece.length === 1 && piece !== 'a' && piece !== 'i')) continue;
        const candidate = { pieces: [...before.pieces, piece], score: before.score + piece.length ** 2 };
        const known = best[j];
        if (
          !known ||
          candidate.pieces.length < known.pieces.length ||
          (candidate.pieces.length === known.pieces.length && candidate.score > known.score)
        )
          best[j] = candidate;
      }
    }
    const found = best[n]?.pieces;
    return found && found.length >= 2 ? found : undefined;
  }

  /** Pinyin typed as one word ("shuzijishu"): its Chinese, when the whole word is known pinyin. */
  function pinyinWord(word: string): string | undefined {
    if (!ALPHA.test(word) || word.length < 4) return undefined;
    const whole = pinyin.get(word);
    if (whole) return whole;
    if (word.length < 8) return undefined;
    // Several known phrases run together: split fully, or not at all.
    const n = word.length;
    const best: Array<string | undefined> = new Array(n + 1);
    best[0] = '';
    for (let i = 0; i < n; i++) {
      if (best[i] === undefined) continue;
      for (let j = i + 4; j <= Math.min(n, i + longestPinyin); j++) {
        const han = pinyin.get(word.slice(i, j));
        if (han !== undefined && best[j] === undefined) best[j] = `${best[i]}${han}`;
      }
    }
    return best[n] || undefined;
  }

  function repair(word: string): string[] {
    const known = repaired.get(word);
    if (known) return known;
    if (repairsLeft <= 0) return [word];
    repairsLeft--;
    let out: string[];
    if (words.has(word) || !ALPHA.test(word)) out = [word];
    else {
      const han = pinyinWord(word);
      if (han) out = [han];
      else {
        const fixed = correct(word);
        out = fixed !== word ? [fixed] : (wordBreak(word) ?? [word]);
      }
    }
    if (repaired.size >= 20_000) repaired.clear();
    repaired.set(word, out);
    return out;
  }

  return {
    tokenize(input: string): Tokens {
      repairsLeft = MAX_REPAIRS;
      const text = normalizeText(input, toSimplified);
      const acronyms = new Set(
        (input.normalize('NFKC').match(/\b[A-Z]{2,}\b/g) ?? []).map((w) => w.toLowerCase()),
      );
      const tokens: Token[] = [];
      const boundaries: Boundary[] = [];
      const latin: Array<{ word: string; start: number; end: number }> = [];
      const flushLatin = () => {
        if (latin.length) pushLatin(latin.splice(0), tokens, acronyms);
      };
      for (const m of text.matchAll(PIECE)) {
        const start = m.index ?? 0;
        const end = start + m[0].length;
        if (m[1]) {
          flushLatin();
          tokens.push({ key: m[1], text: m[1], han: true, start, end });
        } else if (m[2]) {
          latin.push({ word: m[2], start, end });
        } else {
          flushLatin();
          const mark = m[3] ?? '';
          const hard = /[。！？!?；;\n.[\]【】]/.test(mark);
          boundaries.push({ at: tokens.length, hard, question: mark === '?' || mark === '？' });
        }
      }
      flushLatin();
      if (charPinyin.size) homophones(tokens);
      return { text, tokens, boundaries };
    },
    /** A phrase of the knowledge base as token keys (no repairs: phrases are written correctly). */
    keys(phrase: string): string[] {
      return this.plain(phrase).map((t) => t.key);
    },
    /** The knowledge base's own texts as tokens, without repairs (they are written correctly). */
    plain(phrase: string): Token[] {
      const text = normalizeText(phrase, toSimplified);
      const out: Token[] = [];
      for (const m of text.matchAll(PIECE)) {
        const start = m.index ?? 0;
        const end = start + m[0].length;
        if (m[1]) out.push({ key: m[1], text: m[1], han: true, start, end });
        else if (m[2]) out.push({ key: stem(m[2]), text: m[2], han: false, start, end });
      }
      return out;
    },
  };

  /** Latin words in a row: pinyin phrases across words become Chinese; the rest are repaired. */
  function pushLatin(
    run: Array<{ word: string; start: number; end: number }>,
    out: Token[],
    acronyms: ReadonlySet<string>,
  ) {
    let i = 0;
    while (i < run.length) {
      // The longest known pinyin phrase over two or more whole words ("gaoji yanxiu", "gao ji").
      let joined = '';
      let found: { han: string; end: number } | undefined;
      for (let j = i; j < run.length && joined.length <= longestPinyin; j++) {
        joined += run[j]?.word ?? '';
        const han = j > i ? pinyin.get(joined) : undefined;
        if (han) found = { han, end: j };
      }
      if (found) {
        const start = run[i]?.start ?? 0;
        const end = run[found.end]?.end ?? start;
        for (const ch of found.han) out.push({ key: ch, text: ch, han: true, start, end });
        i = found.end + 1;
        continue;
      }
      const { word, start, end } = run[i] as { word: string; start: number; end: number };
      if (acronyms.has(word)) {
        out.push({ key: word, text: word, han: false, caps: true, start, end });
        i++;
        continue;
      }
      for (const piece of repair(word)) {
        if (HAN.test(piece)) for (const ch of piece) out.push({ key: ch, text: ch, han: true, start, end });
        else
          out.push({
            key: stem(piece),
            text: piece,
            han: false,
            start,
            end,
            ...(piece !== word ? { fixed: true } : {}),
          });
      }
      i++;
    }
  }
}

export type Tokenizer = ReturnType<typeof createTokenizer>;

/**
 * NFKC (full-width → ASCII), lower case, tone marks and tone digits dropped from pinyin,
 * Traditional → Simplified, figures written one way ("2万" → "20000").
 */
export function normalizeText(input: string, toSimplified: (s: string) => string): string {
  let plain = input.normalize('NFKC').toLowerCase();
  // Tone marks off pinyin ("gāojí"): only where there are accented letters to strip.
  if (ACCENTED.test(plain))
    plain = plain
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .normalize('NFC');
  plain = plain.replace(/[a-z0-9]+/g, (w) => (TONE_DIGITS.test(w) ? w.replace(/[1-5]/g, '') : w));
  return canonicalNumbers(toSimplified(plain));
}

/** Two words that differ by one swap of neighbouring letters. */
function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
