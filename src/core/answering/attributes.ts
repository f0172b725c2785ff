/** Which attribute a question asks for, among those its words name and those its form implies. */
import type { Attribute, Form, Round } from '../../knowledge/schema.ts';
import type { Clause } from '../understanding/analyze.ts';
import type { FactRef, Facts, Lookup } from './facts.ts';
import { MATH_FORMS, STRONG_CUE, UNPUBLISHED_STRONG } from './question.ts';

const TYPE_FOR_FORM: Partial<Record<Form, Attribute['type'][]>> = {
  count: ['number'],
  how: ['text'],
  compare: ['number'],
  difference: ['number'],
  ratio: ['number'],
  sum: ['number'],
  share: ['number'],
  average: ['number'],
  when: ['date', 'period'],
  who: ['bodies', 'text'],
  list: ['list', 'bodies'],
  why: ['text'],
};
/** A question word alone ("how many?", "when?") asks the usual attribute of its kind. */
const DEFAULTS: Partial<Record<Form, string[]>> = {
  count: ['people-per-year', 'bases-built', 'min-people-per-year', 'courses-per-year', 'members'],
  when: ['period', 'date-issued', 'first-batch'],
  who: ['audience', 'issuers', 'delivery'],
  why: ['aims'],
  how: ['how-to-join', 'approach'],
  list: ['fields', 'members', 'subprojects'],
  fit: ['audience'],
};
/** A cue this weak is a word of a name ("base" in "the base thing"), not a question. */
const INSIDE_NAME_ONLY = 0.5;
/** Attribute types a "how many" can ask for (a list's length too). */
const COUNTABLE: ReadonlySet<string> = new Set(['number', 'list', 'bodies']);

export interface Choice {
  attribute: Attribute;
  found: Lookup;
}

/** The best-supported attribute for these subjects, with its facts. */
export function chooseAttribute(
  facts: Facts,
  c: Clause,
  subjects: string[],
  scores: Map<string, number>,
  round: Round | undefined,
): Choice | undefined {
  const candidates = new Map(scores);
  for (const form of c.forms) {
    for (const id of DEFAULTS[form] ?? []) {
      if (!candidates.has(id) && subjects.some((s) => facts.has(s, id))) candidates.set(id, 0.25);
    }
  }
  const math = MATH_FORMS.some((f) => c.forms.has(f));
  // "How many…" and "by how much" ask for a figure, not a description.
  const figureAsked = [...c.forms].some((f) => f === 'count' || (MATH_FORMS as Form[]).includes(f));
  let best: (Choice & { score: number; cue: number }) | undefined;
  for (const [id, score] of candidates) {
    const attribute = facts.attribute(id);
    if (!attribute) continue;
    let found = facts.lookup(subjects, id, round);
    for (const near of attribute.near) {
      if (found.facts.length) break;
      found = facts.lookup(subjects, near, round);
    }
    // A figure of a list's members ("which sub-project is the biggest?").
    if (!found.facts.length && attribute.type === 'number') {
      const members = subjects.flatMap((s) => facts.entity(s)?.members ?? []);
      if (members.length) found = facts.lookup(members, id, round);
    }
    const typed = [...c.forms].some((f) => TYPE_FOR_FORM[f]?.includes(attribute.type));
    const untyped = figureAsked && !COUNTABLE.has(attribute.type) ? 1 : 0;
    const unpublished = attribute.published ? 0 : score >= UNPUBLISHED_STRONG ? 1.25 : 0.25;
    // Arithmetic between things needs the figure of each ("how many provincial bases would it take
    // to match one national base?": the minimum each trains, not the bases built); asked of several,
    // a thing each has comes first ("the years of both rounds": their periods, not one's plan date).
    const ofEach =
      subjects.length > 1 && subjects.every((s) => facts.lookup([s], id, round).facts.length)
        ? math
          ? 1
          : 0.5
        : 0;
    const total = score + (found.facts.length ? 1 : 0) + (typed ? 0.5 : 0) + unpublished - untyped + ofEach;
    if (!best || total > best.score) best = { attribute, found, score: total, cue: score };
  }
  // "What is X?", "tell me about X": about the thing itself, unless a word clearly asks one thing of it.
  // "the base thing?": a word inside the name ("base") and no question word asks nothing of it.
  const bare = [...c.forms].every((f) => f === 'yesno' || f === 'what');
  if (best && best.cue < INSIDE_NAME_ONLY && bare && !c.numbers.length) return undefined;
  if (best && best.cue < STRONG_CUE && c.forms.has('what') && !math && !c.forms.has('count'))
    return undefined;
  return best;
}

/** The figure of the next-best attribute asked, for arithmetic between two attributes. */
export function secondFigure(
  facts: Facts,
  subjects: string[],
  scores: Map<string, number>,
  round: Round | undefined,
  first: string,
): FactRef | undefined {
  const ranked = [...scores]
    .filter(([id]) => id !== first && facts.attribute(id)?.type === 'number')
    .sort((a, b) => b[1] - a[1]);
  for (const [id] of ranked) {
    const ref = facts.lookup(subjects, id, round).facts.find((f) => typeof f.fact.value === 'number');
    if (ref) return ref;
  }
  return undefined;
}
