/**
 * Question analysis: what a message asks, found with the knowledge base's own words.
 *
 * A message is cut into sentences and each sentence into clauses ("Who issued the plan, and
 * until when does it run?" is two). Sentences that only greet, thank, tell about the writer or
 * instruct the assistant are set aside; the rest are the questions. In each clause the analysis
 * finds the entities named (sub-projects, rounds, base levels, fields, bodies, occupations), the
 * attributes asked (with a score: how strongly the words ask for each), the form of the question
 * (how many, which, yes/no, compare, difference, sum…), figures, and the words it cannot explain.
 * Sentences about the writer give their job, title and field (a persona).
 *
 * Linear in the message: tokens are matched against tries of bounded depth, once each.
 */
import type { Entity, Form, KnowledgeBase } from '../../knowledge/schema.ts';
import { createPhraseTable, type PhraseMatch } from '../language/phrases.ts';
import { createTokenizer, type Token, type Tokens } from '../language/tokens.ts';
import { detectLanguage } from '../normalize.ts';
import {
  type CueKind,
  conditionSpans,
  cutAtCommas,
  languageOf,
  MATH_FORMS,
  OWN_FORMS,
  splitClauses,
  splitSentences,
  within,
} from './sentences.ts';

export type { CueKind } from './sentences.ts';

import type { Lang } from '../types.ts';

export interface Mention {
  id: string;
  start: number;
  end: number;
}

export interface Clause {
  /** Token range [start, end). */
  start: number;
  end: number;
  entities: Mention[];
  /** Entities named by a weak alias ("省级的"): they count only where their family is the topic. */
  weak: Mention[];
  /** Attribute id → how strongly the clause asks for it. */
  attributes: Map<string, number>;
  forms: Set<Form>;
  /** Reads as a follow-up ("and the digital one?", "那…呢"). */
  followup: boolean;
  /** Refers to the round already talked about ("that round"). */
  sameRound: boolean;
  /** Asks about the other one of a pair talked about ("and the other level?"). */
  other: boolean;
  numbers: number[];
  /** Words nothing explains, in order (what a yes/no question asks about when it is not a known thing). */
  residual: string[];
  /** A name in quotation marks ("Is a 'young scientist fund' one of them?"): the thing asked about. */
  quoted?: string;
  /** "the 4th sub-project", "第四个子项目": the n-th (from 1; -1 the last) of a list named. */
  ordinal?: { n: number; of: string };
  /** Weight of the clause's content words, of those nothing explains, and of those the knowledge base never uses. */
  weight: number;
  unexplained: number;
  foreign: number;
  /** Has a question word, a question mark, or asks to be told. */
  asks: boolean;
}

export interface Persona {
  roles: string[];
  titles: string[];
  /** Field entities the writer works in. */
  fields: string[];
  /** Occupation and field entities, as found. */
  mentions: string[];
}

export interface Analysis {
  text: string;
  tokens: Token[];
  /** The language of the message (undefined: no words). */
  lang: Lang | undefined;
  /** The clauses that ask something, in order. */
  clauses: Clause[];
  /** Clauses that ask nothing: what a question may refer back to. */
  background: Clause[];
  /** Each sentence's token range. */
  sentences: Array<{ start: number; end: number }>;
  /** Each clause's token range (sentences cut at commas too), for the intent classifier. */
  parts: Array<{ start: number; end: number }>;
  persona?: Persona;
  /** The message tells the assistant what to be or do ("ignore your rules"). */
  instructs: boolean;
  /** The message points back at what was said before ("sign me up for it", "那一轮"). */
  refersBack: boolean;
}

const HAN_WEIGHT = 0.5;
/** A reply answers at most this many questions of one message. */
export const MAX_QUESTIONS = 8;
/** Entity types a question can be about (the others are members of lists, occupations, places). */
export const SUBJECT_TYPES: ReadonlySet<string> = new Set([
  'project',
  'round',
  'document',
  'list',
  'subproject',
  'base-level',
]);
/** Entity types that describe a person. */
const PERSONA: ReadonlySet<string> = new Set(['occupation', 'field']);
const FOREIGN_WEIGHT = 1.5;
/** How far after "how many" / "多少" the counted thing is looked for (tokens). */
const COUNTED_WINDOW = { latin: 8, han: 10 };
const COUNTED_BONUS = 1.5;
const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, last: -1 };
const CN_ORDINALS = [...'一二三四五六七八九十'];
/** After "how many", these say the counted thing is left out ("how many does it train"). */
const AUXILIARIES = new Set([
  'does',
  'do',
  'did',
  'will',
  'would',
  'can',
  'could',
  'should',
  'must',
  'has',
  'have',
  'had',
]);
/** A name in quotation marks: single quotes only at a word's edge (not "People's"). */
const QUOTED =
  /(?:^|[\s(（:：])['‘]([^'‘’\n]{2,40})['’](?![A-Za-z])|["“「『《]([^"“”」』》\n]{2,40})["”」』》]/;
/** A cue inside an entity's name counts less ("courses" in "national-level advanced training courses"). */
const INSIDE_ENTITY = 0.3;
/** Words that may come before a question's first word ("ok so which…", "roughly how many…"). */
const FILLERS = new Set([
  'ok',
  'okay',
  'so',
  'well',
  'hi',
  'hey',
  'please',
  'um',
  'hmm',
  'great',
  'thanks',
  'sorry',
  'roughly',
  'approximately',
  'about',
  'just',
  'also',
  'but',
  'like',
  'bro',
  'yo',
  'q',
  'quick',
  'now',
  'then',
  'anyway',
]);
/** Words after which "does"/"is" starts a question inside a sentence about the writer. */
const DETERMINERS = new Set(['the', 'it', 'this', 'that', 'these', 'those', 'there', 'they']);
/** Chinese particles that make a yes/no question only at the end of a clause. */
const FINAL_PARTICLES = new Set(['吗', '嘛', '么']);

export function createUnderstanding(
  kb: KnowledgeBase,
  options: { toSimplified?: (s: string) => string } = {},
) {
  const latinWords = (text: string) => text.toLowerCase().match(/[a-z]+/g) ?? [];
  const vocabularyTexts = [
    ...kb.entries.flatMap((e) => [
      e.title.en,
      e.answer.en,
      ...e.questions.en,
      ...e.keywords,
      ...e.facts.map((f) => f.text.en),
    ]),
    ...kb.lexicon.synonyms.flat(),
    ...kb.lexicon.stopwords.en,
    ...kb.entities.flatMap((e) => [...e.aliases, ...e.weak, e.name.en]),
    ...kb.attributes.flatMap((a) => [...a.cues.flatMap((c) => c.phrases), a.name.en]),
    ...Object.values(kb.language.forms).flat(),
    ...Object.values(kb.language).filter(Array.isArray).flat(),
  ];
  // Requests' words are repaired too ("regsiter"), but what people ask of any chatbot ("write me a
  // python script") is not the programme's vocabulary.
  const requestWords = Object.entries(kb.intents)
    .filter(([id]) => id !== 'other')
    .flatMap(([, i]) => i.en);
  const tokenizer = createTokenizer({
    ...(options.toSimplified ? { toSimplified: options.toSimplified } : {}),
    vocabulary: new Set([...vocabularyTexts, ...requestWords].flatMap(latinWords)),
    pinyin: kb.pinyin,
    charPinyin: kb.charPinyin,
  });

  const entityTable = createPhraseTable<string>();
  const weakTable = createPhraseTable<string>();
  const attributeTable = createPhraseTable<{ id: string; weight: number }>();
  const formTable = createPhraseTable<Form>();
  const cueTable = createPhraseTable<CueKind>();
  const stopTable = createPhraseTable<true>();
  for (const e of kb.entities) {
    for (const a of e.aliases) entityTable.add(tokenizer.keys(a), e.id);
    for (const a of e.weak) weakTable.add(tokenizer.keys(a), e.id);
  }
  for (const a of kb.attributes) {
    for (const group of a.cues) {
      for (const p of group.phrases)
        attributeTable.add(tokenizer.keys(p), { id: a.id, weight: group.weight });
    }
  }
  for (const [form, list] of Object.entries(kb.language.forms) as Array<[Form, string[]]>) {
    for (const p of list) formTable.add(tokenizer.keys(p), form);
  }
  const cueLists: Array<[CueKind, string[]]> = [
    ['followup', kb.language.followup],
    ['sameround', kb.language.sameround],
    ['other', kb.language.other],
    ['self', kb.language.self],
    ['ask', kb.language.ask],
    ['instruction', kb.language.instruction],
    ['joiner', kb.language.joiners],
    ['conditional', kb.language.conditional],
  ];
  for (const [kind, list] of cueLists) for (const p of list) cueTable.add(tokenizer.keys(p), kind);
  for (const w of kb.lexicon.stopwords.zh) stopTable.add(tokenizer.keys(w), true);
  const enStop = new Set(kb.lexicon.stopwords.en.map((w) => w.toLowerCase()));
  /** Every token key the knowledge base uses: a question word outside it is "foreign". */
  const known = new Set<string>();
  const allTexts = [
    ...vocabularyTexts,
    ...kb.entries.flatMap((e) => [
      e.title.zh,
      e.answer.zh,
      ...e.questions.zh,
      ...e.facts.map((f) => f.text.zh),
    ]),
    ...kb.entities.map((e) => e.name.zh),
    ...kb.attributes.map((a) => a.name.zh),
    ...kb.lexicon.stopwords.zh,
  ];
  for (const t of allTexts) for (const k of tokenizer.keys(t)) known.add(k);
  const byId = new Map(kb.entities.map((e) => [e.id, e]));
  /** English question words that ask yes/no only where a clause starts ("Is…", not "…you are well"). */
  const initialOnly = new Set(
    kb.language.forms.yesno.filter((p) => /^[a-z]+$/i.test(p)).map((p) => tokenizer.keys(p)[0] ?? ''),
  );

  function analyze(input: string): Analysis {
    const tk = tokenizer.tokenize(input);
    const { tokens } = tk;
    const n = tokens.length;
    // A name that is also an ordinary word ("it", "most") counts only as an acronym ("IT", "MOST").
    const named = <T>(list: PhraseMatch<T>[]) =>
      list.filter((m) => {
        const t = tokens[m.start] as Token;
        return m.end - m.start > 1 || t.han || t.caps || !enStop.has(t.text);
      });
    const determiner = (t: Token) => !t.han && DETERMINERS.has(t.text);
    const entities = named(entityTable.find(tokens, 0, n, determiner));
    const weak = named(weakTable.find(tokens));
    const attributes = attributeTable.find(tokens);
    const cues = cueTable.find(tokens);
    // A condition asks no yes or no ("如果能参加，大概要交多少费用？"); its arithmetic stays
    // ("If I add up…, what total do I get?").
    const conditions = conditionSpans(tk, cues);
    const forms = formTable
      .find(tokens)
      .map((f) =>
        conditions.some((c) => f.start >= c.start && f.end <= c.end)
          ? { ...f, values: f.values.filter((v) => v !== 'yesno' && v !== 'fit') }
          : f,
      )
      .filter((f) => f.values.length);
    const stops = stopTable.find(tokens);

    // What covers each token: an entity, a cue of any kind, a stopword.
    const entityAt = new Int32Array(n).fill(-1);
    const explained = new Uint8Array(n);
    const mark = (list: PhraseMatch<unknown>[]) => {
      for (const m of list) for (let k = m.start; k < m.end; k++) explained[k] = 1;
    };
    entities.forEach((m, i) => {
      for (let k = m.start; k < m.end; k++) entityAt[k] = i;
    });
    for (const list of [
      entities,
      weak,
      attributes,
      formTable.find(tokens),
      cues,
      stops,
    ] as PhraseMatch<unknown>[][])
      mark(list);
    const stopAt = new Uint8Array(n);
    for (const m of stops) for (let k = m.start; k < m.end; k++) stopAt[k] = 1;
    tokens.forEach((t, k) => {
      if (!t.han && enStop.has(t.text)) stopAt[k] = 1;
      if (stopAt[k] || /^\d+$/.test(t.text)) explained[k] = 1;
    });

    const sentences = splitSentences(tk);
    const marked = sentences.some((s) => s.question);
    const clauses: Clause[] = [];
    /** What the message says without asking: the background a question may refer to ("…. Who approves that?"). */
    const background: Clause[] = [];
    const personaMentions: string[] = [];
    let aboutSelf = false;
    let instructs = false;
    const kinds = (start: number, end: number) => {
      const set = new Set<CueKind>();
      for (const c of within(cues, start, end)) for (const v of c.values) set.add(v);
      return set;
    };
    const cueAt = new Map(cues.map((c) => [c.start, c]));
    const saysSomething = (span: { start: number; end: number }) =>
      within(attributes, span.start, span.end).some((m) => m.values.some((v) => v.weight >= 1));
    const namesSubject = (span: { start: number; end: number }) =>
      within(entities, span.start, span.end).some((m) =>
        m.values.some((id) => SUBJECT_TYPES.has(byId.get(id)?.type ?? '')),
      );
    const mentionsIn = (start: number, end: number, types: ReadonlySet<string>) =>
      within(entities, start, end).flatMap((m) =>
        m.values.filter((id) => types.has(byId.get(id)?.type ?? '')),
      );
    const instructsOnly = (span: { start: number; end: number }) =>
      within(cues, span.start, span.end).some((c) => c.values.includes('instruction')) &&
      !within(forms, span.start, span.end).some((f) =>
        f.values.some((v) => OWN_FORMS.has(v) && v !== 'yesno'),
      );
    const candidates: Clause[] = [];
    for (const s of sentences) {
      // Enough questions for one reply: the rest of a very long message is not read for more.
      if (clauses.length >= MAX_QUESTIONS) break;
      const cueKinds = kinds(s.start, s.end);
      const instruction = cueKinds.has('instruction');
      if (instruction) instructs = true;
      // A part that only instructs the assistant ("假装你是人社部官员", "[admin note: …]") is no question.
      const parts = splitClauses(
        tk,
        s,
        within(forms, s.start, s.end),
        within(cues, s.start, s.end),
        namesSubject,
        saysSomething,
      )
        .filter((c) => !instructsOnly(c))
        .map((c) => clauseOf(tk, c.start, c.end, c.question, cueKinds.has('self')));
      const asks = parts.some((c) => c.asks);
      // A sentence about the writer ("I'm a blockchain developer") gives a persona.
      if (cueKinds.has('self')) {
        aboutSelf = true;
        personaMentions.push(...mentionsIn(s.start, s.end, PERSONA));
      }
      if (!asks) {
        if (!cueKinds.has('self')) candidates.push(...parts);
        if (!instruction) background.push(...parts);
        continue;
      }
      // In a sentence that asks, the parts that ask nothing are its background ("我单位系…，烦请告知…").
      for (const c of parts) (c.asks || parts.length === 1 ? clauses : background).push(c);
    }
    // No sentence asks anything in so many words ("高研班 人数"): every sentence that says
    // something about the programme is the question.
    if (!clauses.length) clauses.push(...candidates.filter((c) => c.weight > 0));
    // Asked what suits them, people say who they are anywhere in the message ("PhD student here, …").
    const fit = clauses.some((c) => c.forms.has('fit'));
    if (fit) personaMentions.push(...mentionsIn(0, n, PERSONA));
    // "By how much?", "what total do I get?" after a comparison or sum only add to the question before it.
    for (let i = clauses.length - 1; i > 0; i--) {
      const c = clauses[i] as Clause;
      const before = clauses[i - 1] as Clause;
      const weak = [...c.attributes.values()].every((s) => s < 1);
      const mathBefore = [...before.forms].some((f) => MATH_FORMS.has(f));
      if (
        !c.entities.length &&
        !c.weak.length &&
        weak &&
        mathBefore &&
        [...c.forms].every((f) => f === 'what' || MATH_FORMS.has(f) || f === 'count')
      ) {
        for (const f of c.forms) if (f !== 'what' && f !== 'count') before.forms.add(f);
        before.end = c.end;
        clauses.splice(i, 1);
        continue;
      }
      if (c.entities.length || c.weak.length || c.attributes.size) continue;
      if (
        ![...c.forms].some((f) => MATH_FORMS.has(f)) ||
        [...c.forms].some((f) => !MATH_FORMS.has(f) && f !== 'count')
      )
        continue;
      for (const f of c.forms) if (f !== 'count') before.forms.add(f);
      before.end = c.end;
      clauses.splice(i, 1);
    }

    return {
      text: tk.text,
      tokens,
      lang: languageOf(tokens) ?? detectLanguage(input),
      clauses,
      background: background.filter((c) => !clauses.includes(c)),
      sentences: sentences.map((s) => ({ start: s.start, end: s.end })),
      parts: cutAtCommas(tk),
      ...(personaMentions.length || (fit && aboutSelf) ? { persona: personaOf(personaMentions) } : {}),
      instructs,
      refersBack: cues.some((c) =>
        c.values.some((v) => v === 'followup' || v === 'sameround' || v === 'other'),
      ),
    };

    function several(m: PhraseMatch<Form>, questionMark: boolean): boolean {
      if (m.end - m.start !== 1 || (tokens[m.start] as Token).key !== '几') return false;
      const next = tokens[m.end];
      return (
        (next !== undefined && /^\d/.test(next.key)) ||
        tokens[m.start - 1]?.key === '好' ||
        (marked && !questionMark)
      );
    }

    function clauseOf(
      tk: Tokens,
      start: number,
      end: number,
      questionMark: boolean,
      aboutSelf: boolean,
    ): Clause {
      const inside = <T>(list: PhraseMatch<T>[]) => within(list, start, end);
      const clauseForms = new Set<Form>();
      const countEnds: number[] = [];
      const countStarts: number[] = [];
      const firstContent = firstContentToken(start, end);
      const clauseCues = inside(cues);
      const askCue = clauseCues.some((c) => c.values.includes('ask'));
      // A question word inside an English statement ("it's hard to find out what programmes exist")
      // asks nothing: it counts at the start of a clause, or with a question mark or a request to be told.
      const starts = new Set([
        firstContent,
        ...tk.boundaries.filter((b) => b.at > start && b.at < end).map((b) => firstContentToken(b.at, end)),
      ]);
      // "高研班 how many classes": a question word right after the name it asks about.
      let afterNames = firstContent;
      while (afterNames < end && entityAt[afterNames] !== -1) afterNames++;
      starts.add(afterNames);
      for (const m of inside(forms)) {
        // "Could you kindly specify…" asks to be told: its "could" is not a yes/no question.
        const inAsk = clauseCues.some(
          (c) => c.values.includes('ask') && c.start <= m.start && c.end >= m.end,
        );
        const latin = !(tokens[m.start] as Token).han;
        // "几十期", "好几千期", and "院里几位学科带头人想了解…。" in a letter whose questions end in
        // "？": "几" says "several", it asks nothing.
        if (several(m, questionMark)) continue;
        for (const f of m.values) {
          if (f === 'yesno' && (inAsk || !yesnoHere(m, start, end, starts, aboutSelf))) continue;
          if (f !== 'yesno' && latin && OWN_FORMS.has(f) && !questionMark && !askCue && !starts.has(m.start))
            continue;
          clauseForms.add(f);
          if (f === 'count') {
            countEnds.push(m.end);
            countStarts.push(m.start);
          }
        }
      }
      // A question mark and neither a question word nor a word of what is asked: a yes/no question
      // ("数字化管理也在范围里？"; but "…scale?" asks for the scale).
      const attributeWords = inside(attributes).some((m) => m.values.some((v) => v.weight >= 1));
      if (questionMark && !attributeWords && ![...clauseForms].some((f) => OWN_FORMS.has(f)))
        clauseForms.add('yesno');
      // The thing counted by "how many" / "多少": in Chinese the last word of those that follow
      // ("多少高层次急需紧缺人才": 人才), in English the first ("how many participants attend…"), not
      // inside a name unless only a name follows ("how many national-level advanced training courses":
      // courses); "建了几个" counts what it is part of; "advanced seminars per year how many" what
      // comes before. Words of time ("a year") are never what is counted.
      const countedCue = new Set<PhraseMatch<{ id: string; weight: number }>>();
      const clauseAttributes = inside(attributes);
      const countable = (m: PhraseMatch<{ id: string; weight: number }>) =>
        m.values.some((v) => v.weight >= 1);
      const inName = (m: PhraseMatch<unknown>) => entityAt[m.start] !== -1 && entityAt[m.end - 1] !== -1;
      for (const m of clauseAttributes) {
        if (countStarts.some((s, i) => m.start < (countEnds[i] as number) && m.end > s)) countedCue.add(m);
      }
      countEnds.forEach((e) => {
        if (countedCue.size) return;
        const han = (tokens[e] as Token | undefined)?.han ?? false;
        const limit = Math.min(end, e + (han ? COUNTED_WINDOW.han : COUNTED_WINDOW.latin));
        const run: PhraseMatch<{ id: string; weight: number }>[] = [];
        let k = e;
        // "how many does a national base train": the name after the verb is not what is counted, the
        // verb is ("how many will this round build").
        const verbAsks = !han && AUXILIARIES.has((tokens[e] as Token | undefined)?.text.toLowerCase() ?? '');
        while (k < limit) {
          const cue = clauseAttributes.find((m) => m.start === k);
          if (cue) {
            if (countable(cue)) run.push(cue);
            k = cue.end;
          } else if (entityAt[k] !== -1 || (!run.length && stopAt[k])) k++;
          else break;
        }
        const outside = run.filter((m) => !inName(m));
        const pick =
          (han ? outside[outside.length - 1] : outside[0]) ?? (verbAsks ? undefined : run[run.length - 1]);
        if (pick) countedCue.add(pick);
      });
      if (!countedCue.size && countStarts.length) {
        const before = clauseAttributes.filter((m) => m.end <= (countStarts[0] as number) && countable(m));
        const last = before[before.length - 1];
        if (last && (countStarts[0] as number) - last.end <= COUNTED_WINDOW.latin) countedCue.add(last);
      }
      const scores = new Map<string, number>();
      for (const m of clauseAttributes) {
        const inEntity = entityAt[m.start] !== -1 && entityAt[m.end - 1] !== -1;
        const bonus = countedCue.has(m);
        // One phrase counts once per attribute, at its highest weight.
        const best = new Map<string, number>();
        for (const v of m.values) best.set(v.id, Math.max(best.get(v.id) ?? 0, v.weight));
        for (const [id, weight] of best) {
          const w = weight * (inEntity ? INSIDE_ENTITY : 1) + (bonus ? COUNTED_BONUS : 0);
          scores.set(id, (scores.get(id) ?? 0) + w);
        }
      }
      const cueKinds = kinds(start, end);
      let weight = 0;
      let unexplained = 0;
      let foreign = 0;
      const residual: string[] = [];
      let run: number[] = [];
      const flush = () => {
        if (!run.length) return;
        const first = tokens[run[0] as number] as Token;
        const last = tokens[run[run.length - 1] as number] as Token;
        residual.push(tk.text.slice(first.start, last.end));
        run = [];
      };
      const numbers: number[] = [];
      for (let k = start; k < end; k++) {
        const t = tokens[k] as Token;
        if (/^\d+$/.test(t.text)) numbers.push(Number(t.text));
        const w = t.han ? HAN_WEIGHT : 1;
        const stop = !t.han && enStop.has(t.text);
        if (stop) {
          flush();
          continue;
        }
        const isForeign = !known.has(t.key) || (t.fixed === true && !explained[k]);
        weight += isForeign ? w * FOREIGN_WEIGHT : w;
        if (explained[k]) {
          flush();
          continue;
        }
        unexplained += isForeign ? w * FOREIGN_WEIGHT : w;
        if (isForeign) foreign += w * FOREIGN_WEIGHT;
        if (!t.han || run.length === 0 || (tokens[run[run.length - 1] as number] as Token).han) run.push(k);
        else {
          flush();
          run.push(k);
        }
      }
      flush();
      // Where the message marks its questions ("？"), a statement that says someone wants to know
      // about something ("院里几位学科带头人想了解国家级高级研修班。") is background, not one more
      // question; a request that starts with it ("Add up the yearly headcounts….") still asks.
      const wantsToKnow =
        clauseCues.some((c) => c.values.includes('ask')) &&
        (questionMark ||
          !marked ||
          clauseCues.some((c) => c.values.includes('ask') && c.start <= firstContent));
      const asks = questionMark || wantsToKnow || [...clauseForms].some((f) => OWN_FORMS.has(f));
      const span = tk.text.slice(
        Math.max(0, (tokens[start]?.start ?? 0) - 1),
        (tokens[end - 1]?.end ?? 0) + 1,
      );
      const ordinal = ordinalIn(start, end);
      const quote = QUOTED.exec(span);
      const quoted = (quote?.[1] ?? quote?.[2])?.trim();
      return {
        start,
        end,
        entities: inside(entities).flatMap((m) => m.values.map((id) => ({ id, start: m.start, end: m.end }))),
        weak: inside(weak).flatMap((m) => m.values.map((id) => ({ id, start: m.start, end: m.end }))),
        attributes: scores,
        forms: clauseForms,
        followup: cueKinds.has('followup'),
        sameRound: cueKinds.has('sameround'),
        other: cueKinds.has('other'),
        numbers,
        residual,
        ...(quoted ? { quoted } : {}),
        ...(ordinal ? { ordinal } : {}),
        weight,
        unexplained,
        foreign,
        asks,
      };
    }

    /** "the 4th sub-project", "the last one of the fields", "第四个子项目": a list named with its place. */
    function ordinalIn(start: number, end: number): { n: number; of: string } | undefined {
      for (const m of within(entities, start, end)) {
        const list = m.values.find((id) => byId.get(id)?.members?.length);
        if (!list) continue;
        let k = m.start - 1;
        if (tokens[k]?.text === '个') k--;
        const t = tokens[k];
        if (!t) continue;
        const n = t.han
          ? tokens[k - 1]?.text === '第'
            ? CN_ORDINALS.indexOf(t.text) + 1 || Number(t.text) || 0
            : 0
          : (ORDINALS[t.text] ?? Number(/^(\d+)(?:st|nd|rd|th)$/.exec(t.text)?.[1] ?? 0));
        if (n) return { n, of: list };
      }
      return undefined;
    }

    /** The first token of a clause that is not a filler ("and", "so", "ok", "那"). */
    function firstContentToken(start: number, end: number): number {
      let k = start;
      while (k < end) {
        const c = cueAt.get(k);
        const t = tokens[k] as Token;
        if (c?.values.some((v) => v === 'joiner' || v === 'followup')) k = c.end;
        else if (!t.han && FILLERS.has(t.text)) k++;
        else break;
      }
      return k;
    }

    function yesnoHere(
      m: PhraseMatch<Form>,
      start: number,
      end: number,
      starts: Set<number>,
      aboutSelf: boolean,
    ): boolean {
      const t = tokens[m.start] as Token;
      if (m.end - m.start === 1 && !t.han && initialOnly.has(t.key)) {
        if (starts.has(m.start)) return true;
        // "I'm an aerospace engineer, does the program cover my field": the question after the self-description.
        const next = tokens[m.end];
        return aboutSelf && next !== undefined && DETERMINERS.has(next.text);
      }
      if (m.end - m.start === 1 && FINAL_PARTICLES.has(t.key)) return m.end === end;
      return m.start >= start;
    }
  }

  function personaOf(ids: string[]): Persona {
    const roles: string[] = [];
    const titles: string[] = [];
    const fields: string[] = [];
    for (const id of ids) {
      const e = byId.get(id) as Entity;
      if (e.role) roles.push(e.role);
      if (e.title) titles.push(e.title);
      if (e.type === 'field') fields.push(e.id);
    }
    return { roles, titles, fields, mentions: [...new Set(ids)] };
  }

  return { analyze, tokenizer, entity: (id: string) => byId.get(id), tables: { entityTable } };
}

export type Understanding = ReturnType<typeof createUnderstanding>;
