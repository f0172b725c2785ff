/** People who describe their work get the sub-projects that suit them, with the facts' reasons. */
import { recommend } from '../dialog/flows.ts';
import type { Analysis, Clause, Persona } from '../understanding/analyze.ts';
import type { Facts } from './facts.ts';
import type { Part } from './parts.ts';
import { UNPUBLISHED_STRONG } from './question.ts';

/**
 * A question asking what suits the writer ("which sub-project fits my work?"), not a detail the
 * sources do not give ("像我这样退休的人有没有年龄限制？").
 */
export const asksWhatSuits = (facts: Facts, c: Clause): boolean =>
  c.forms.has('fit') &&
  ![...c.attributes].some(
    ([id, score]) => score >= UNPUBLISHED_STRONG && facts.attribute(id)?.published === false,
  );

/**
 * Told what the writer does, now or earlier in the conversation, and asked what suits them, or
 * told only that ("我是做人工智能算法的工程师"): the sub-projects that may suit them.
 */
export function personaPart(facts: Facts, analysis: Analysis, earlier?: Persona): Part | undefined {
  const p = analysis.persona ?? earlier;
  const toldOnly = Boolean(analysis.persona) && !analysis.clauses.length;
  if (!p || (!toldOnly && !analysis.clauses.some((c) => asksWhatSuits(facts, c)))) return undefined;
  // A field of the digital technology engineer project ("intelligent manufacturing", "芯片") is digital work.
  const digital = p.fields.some((f) =>
    facts.listsOf(f).some((l) => facts.ownersOfList(l.id).includes('digital-engineer')),
  );
  const fieldOption = digital ? 'it' : p.fields.map((f) => facts.entity(f)?.field).find(Boolean);
  const role = p.roles.includes('manager')
    ? 'manager'
    : p.roles.includes('digital')
      ? 'digital'
      : (p.roles[0] ?? null);
  const picks = recommend({ role, title: p.titles[p.titles.length - 1] ?? null, field: fieldOption ?? null });
  const asked = analysis.clauses
    .flatMap((c) => c.entities)
    .map((m) => m.id)
    .find((id) => facts.entity(id)?.type === 'subproject');
  const audience = picks.flatMap((id) => facts.lookup([id], 'audience', undefined).facts);
  const listed = [...new Set(p.fields)].flatMap((f) => {
    const field = facts.entity(f);
    const list = facts.listsOf(f).find((l) => facts.ownersOfList(l.id).some((o) => picks.includes(o)));
    return field && list ? [{ field, list }] : [];
  });
  return { kind: 'persona', picks, asked, facts: audience, listed: listed.slice(0, 2) };
}
