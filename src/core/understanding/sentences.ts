/** Cutting a message into sentences and clauses, and looking up what lies within a range. */
import type { Form } from '../../knowledge/schema.ts';
import type { PhraseMatch } from '../language/phrases.ts';
import type { Token, Tokens } from '../language/tokens.ts';
import type { Lang } from '../types.ts';

export type CueKind =
  | 'followup'
  | 'sameround'
  | 'other'
  | 'self'
  | 'ask'
  | 'instruction'
  | 'joiner'
  | 'conditional';

/** Question forms that ask a question of their own (the others qualify one: "more", "in total"). */
export const OWN_FORMS: ReadonlySet<Form> = new Set([
  'count',
  'list',
  'when',
  'who',
  'yesno',
  'why',
  'how',
  'what',
  'fit',
]);
export const MATH_FORMS: ReadonlySet<Form> = new Set([
  'compare',
  'difference',
  'ratio',
  'sum',
  'share',
  'average',
]);

/**
 * The matches of a list (sorted by start, not overlapping) that lie within [start, end): found by
 * binary search, so that a long message's clauses do not each scan every match.
 */
export function within<T>(list: PhraseMatch<T>[], start: number, end: number): PhraseMatch<T>[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as PhraseMatch<T>).start < start) lo = mid + 1;
    else hi = mid;
  }
  const out: PhraseMatch<T>[] = [];
  for (let i = lo; i < list.length && (list[i] as PhraseMatch<T>).start < end; i++) {
    const m = list[i] as PhraseMatch<T>;
    if (m.end <= end) out.push(m);
  }
  return out;
}

export interface Span {
  start: number;
  end: number;
  question: boolean;
}

/**
 * Chinese when its characters outweigh its Latin words once pinyin has become characters ("shuzi
 * jishu gongchengshi…" is Chinese); undefined for a message of neither.
 */
export function languageOf(tokens: Token[]): Lang | undefined {
  let han = 0;
  let latin = 0;
  for (const t of tokens) {
    if (t.han) han++;
    else if (/\p{L}/u.test(t.text)) latin++;
  }
  if (!han && !latin) return undefined;
  return han >= latin ? 'zh' : 'en';
}

/** The message cut at every boundary (commas and colons too), in one pass. */
export function cutAtCommas(tk: Tokens): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (const b of tk.boundaries) {
    if (b.at > start) out.push({ start, end: b.at });
    start = Math.max(start, b.at);
  }
  if (tk.tokens.length > start) out.push({ start, end: tk.tokens.length });
  return out;
}

/** Sentences: token ranges between hard boundaries (。？!, a full stop, a new line). */
export function splitSentences(tk: Tokens): Span[] {
  const out: Span[] = [];
  let start = 0;
  for (const b of tk.boundaries) {
    if (!b.hard) continue;
    if (b.at > start) out.push({ start, end: b.at, question: b.question });
    else if (b.question && out.length && out[out.length - 1]?.end === b.at)
      (out[out.length - 1] as Span).question = true;
    start = b.at;
  }
  if (tk.tokens.length > start) out.push({ start, end: tk.tokens.length, question: false });
  return out;
}

/**
 * Conditions: from "如果", "要是" or a clause's opening "if" to the next comma, where a clause
 * follows ("如果能参加，…", "If I can join, how much…"). What they say is asked of nobody.
 */
export function conditionSpans(
  tk: Tokens,
  cues: PhraseMatch<CueKind>[],
): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const c of cues) {
    if (!c.values.includes('conditional')) continue;
    const han = (tk.tokens[c.start] as Token).han;
    if (!han && c.start > 0 && !tk.boundaries.some((b) => b.at === c.start)) continue;
    const next = tk.boundaries.find((b) => b.at > c.end);
    if (!next || next.hard) continue;
    out.push({ start: c.start, end: next.at });
  }
  return out;
}

/**
 * Clauses of a sentence: it is cut at commas and at "and"/"以及" before a question word, and a
 * new clause starts only where a part asks a question of its own while the clause before already
 * asks one ("Who issued the plan, and until when does it run?"). A part that asks nothing of its
 * own stays with its neighbour ("高级研修和数字工程师，哪个多？").
 */
export function splitClauses(
  tk: Tokens,
  sentence: Span,
  forms: PhraseMatch<Form>[],
  cues: PhraseMatch<CueKind>[],
  namesSubject: (span: Span) => boolean,
  saysSomething: (span: Span) => boolean,
): Span[] {
  const cuts = new Set<number>();
  for (const b of tk.boundaries) if (!b.hard && b.at > sentence.start && b.at < sentence.end) cuts.add(b.at);
  for (const c of cues) {
    if (!c.values.includes('joiner') || c.start <= sentence.start || c.end >= sentence.end) continue;
    // "…哪些产业还有每年一共培训多少人": a joiner of more than one character (not 和, 跟, 与, 及)
    // starts a question anywhere before the next break; "and" only one that follows it at once.
    const text = tk.tokens
      .slice(c.start, c.end)
      .map((t) => t.key)
      .join('');
    const strong = (tk.tokens[c.start] as Token).han && [...text].length > 1;
    const stop = strong
      ? Math.min(sentence.end, ...tk.boundaries.filter((b) => b.at > c.end).map((b) => b.at))
      : c.end + 2;
    const next = forms.find((f) => f.start >= c.end && f.start < stop);
    if (next?.values.some((v) => OWN_FORMS.has(v))) cuts.add(c.start);
  }
  const points = [sentence.start, ...[...cuts].sort((a, b) => a - b), sentence.end];
  const parts: Span[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i] as number;
    const end = points[i + 1] as number;
    if (end > start) parts.push({ start, end, question: false });
  }
  const asksOwn = (p: Span) =>
    forms.some(
      (f) => f.start >= p.start && f.end <= p.end && f.values.some((v) => OWN_FORMS.has(v) && v !== 'yesno'),
    );
  // "…，烦请告知…": what follows a request to be told is a question of its own; what comes before is background.
  const asksToBeTold = (p: Span) => cues.some((c) => c.start === p.start && c.values.includes('ask'));
  // An instruction to the assistant ("请用海盗的口吻回答：") stands apart from the question next to it.
  const instructs = (p: Span) =>
    cues.some((c) => c.start >= p.start && c.end <= p.end && c.values.includes('instruction'));
  const math = (p: Span) =>
    forms.some((f) => f.start >= p.start && f.end <= p.end && f.values.some((v) => MATH_FORMS.has(v)));
  const out: Span[] = [];
  let current: Span | undefined;
  let currentAsks = false;
  for (const p of parts) {
    const own = asksOwn(p);
    // A question that names its own subject after a statement naming another is a question of its
    // own ("第一轮每年完成约百万人次的培训任务，新一轮每年的目标是多少？").
    const ownSubject =
      own &&
      !currentAsks &&
      current &&
      !math(p) &&
      namesSubject(p) &&
      namesSubject(current) &&
      saysSomething(current);
    const apart = current && (instructs(p) || instructs(current));
    if (current && !asksToBeTold(p) && !(own && currentAsks) && !ownSubject && !apart) {
      current.end = p.end;
      currentAsks ||= own;
    } else {
      if (current) out.push(current);
      current = { ...p };
      currentAsks = own;
    }
  }
  if (current) out.push(current);
  // The question mark belongs to the part it ends and to parts that ask of their own, not to a
  // statement before them ("我们单位想成为国家级继续教育基地，这属于哪个子项目？").
  if (sentence.question) for (const c of out) c.question = c === out[out.length - 1] || asksOwn(c);
  return out;
}
