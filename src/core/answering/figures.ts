/**
 * The answer of facts found for a question: the arithmetic it asks (difference, ratio, sum, share,
 * an average per course or per year of a round), a yes or no about a figure it quotes, or the facts.
 */
import type { Attribute, Entity } from '../../knowledge/schema.ts';
import { secondFigure } from './attributes.ts';
import type { FactRef, Facts } from './facts.ts';
import type { Part } from './parts.ts';
import { MATH_FORMS, type Question } from './question.ts';

export function figureAnswer(
  facts: Facts,
  q: Question,
  attribute: Attribute,
  found: FactRef[],
  subjects: string[],
): Part {
  const { clause: c, asked, round, own } = q;
  const things = subjects.flatMap((id): Entity[] => {
    const e = facts.entity(id);
    return e ? [e] : [];
  });
  // Average per course: people a year over courses a year, for one subject.
  if (asked('average') && subjects.length === 1) {
    const people = facts.lookup(subjects, 'people-per-year', round).facts[0];
    const courses = facts.lookup(subjects, 'courses-per-year', round).facts[0];
    if (people && courses) return { kind: 'math', op: 'average', facts: [people, courses], subjects: things };
  }
  const op = MATH_FORMS.find((f) => asked(f));
  let numeric = found.filter((f) => typeof f.fact.value === 'number');
  // A total over a round, averaged per year ("1264.3万人次, 平均每年多少").
  const total = numeric[0];
  if (op === 'average' && attribute.total && total?.fact.round) {
    const r = total.fact.round;
    const period = facts.lookup([`${r}-round`], 'period', r).facts[0];
    if (period && typeof period.fact.value === 'string')
      return { kind: 'math', op: 'per-year', facts: [total, period], subjects: things };
  }
  // The whole quoted, the part named ("What percentage of the one million people trained each year
  // come from the advanced training project?").
  if (op && numeric.length === 1) {
    const quoted = facts
      .withValue(c.numbers)
      .find((f) => f !== total && f.fact.attribute.includes(attribute.id));
    if (quoted) numeric = [...numeric, quoted];
  }
  // One figure each of two things asked about one subject ("200个基地是首批20个的几倍？").
  if (op && numeric.length === 1 && own.every((id) => total?.fact.subject.includes(id))) {
    const second = secondFigure(facts, subjects, q.scores, round, attribute.id);
    if (second) numeric = [...numeric, second];
  }
  if (op && numeric.length >= 2) {
    // A sum of things the question counts: one number for each, in order, none of them a figure of
    // the facts ("1个国家级基地、3个省级基地加起来至少培训多少人" is 1 × 2000 + 3 × 500).
    const counts = c.numbers.filter((n) => !numeric.some((f) => f.fact.value === n));
    if (
      op === 'sum' &&
      counts.length === numeric.length &&
      counts.every((n) => Number.isInteger(n) && n > 0 && n < 1000)
    )
      return { kind: 'math', op, facts: numeric, subjects: things, times: counts };
    return { kind: 'math', op, facts: numeric, subjects: things };
  }
  // Arithmetic with a figure the sources do not give ("现代服务业领域占100万人的多少？"): not published.
  if (op && own.length >= 2 && attribute.type === 'number') {
    const missing = own.find((id) => !numeric.some((f) => f.fact.subject.includes(id)));
    if (missing)
      return {
        kind: 'unpublished',
        attributes: [attribute],
        subject: facts.entity(missing),
        ...(round ? { round } : {}),
      };
  }
  // Yes/no about a figure: compare with the figure asked.
  if (asked('yesno') && c.numbers.length && numeric.length) {
    const values = numeric.map((f) => f.fact.value as number);
    return { kind: 'check', verdict: c.numbers.some((n) => values.includes(n)) ? 'yes' : 'no', facts: found };
  }
  return { kind: 'facts', facts: found };
}
