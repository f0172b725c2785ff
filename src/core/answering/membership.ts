/** Is X one of a list? Yes or no from the list's members, naming the list. */
import type { Entity } from '../../knowledge/schema.ts';
import { SUBJECT_TYPES } from '../understanding/analyze.ts';
import type { Facts } from './facts.ts';
import type { Part } from './parts.ts';
import { MATH_FORMS, type Question, UNPUBLISHED_STRONG } from './question.ts';

export const LIST_ATTRIBUTES: ReadonlySet<string> = new Set(['fields', 'issuers', 'members', 'subprojects']);

/** The sub-project a thing is, or belongs to (a national base: the bases). */
function subprojectOf(facts: Facts, id: string): string[] {
  const e = facts.entity(id);
  if (e?.type === 'subproject') return [id];
  const owner = e?.family ? facts.family(e.family).find((f) => f.type === 'subproject') : undefined;
  return owner ? [owner.id] : [];
}

/** A list is named, asked for, or was the last thing talked about. */
export const namesList = (facts: Facts, q: Question): boolean =>
  q.subjects.some((id) => facts.entity(id)?.type === 'list') ||
  [...LIST_ATTRIBUTES].some((a) => (q.scores.get(a) ?? 0) >= 1.5) ||
  Boolean(q.earlier?.list);

/**
 * "Is blockchain one of them?", "AI属于哪个项目", "高端装备呢", "Is quantum computing a priority field?":
 * the candidate is a field, body or sub-project named, or the words nothing else explains.
 */
export function membership(facts: Facts, q: Question): Extract<Part, { kind: 'member' }> | undefined {
  const { clause: c, own, members, scores, round, earlier } = q;
  const subjects = q.subjects.length ? q.subjects : ['project'];
  const type = (id: string) => facts.entity(id)?.type;
  const entityOf = (id: string): Entity[] => {
    const e = facts.entity(id);
    return e ? [e] : [];
  };
  if (MATH_FORMS.some((f) => c.forms.has(f))) return undefined;
  const yesno = c.forms.has('yesno') || c.forms.has('fit');
  // Only a field or body is named, and nothing else is asked of it: where does it belong?
  const strongOther = [...scores].some(([a, score]) => score >= 1.5 && !LIST_ATTRIBUTES.has(a));
  const aboutMember = !own.length && members.length > 0 && !strongOther && !q.doubtful && c.foreign === 0;
  // "…to become a national-level training base. Which part of the project is that?"
  const before = [
    ...new Set(
      [...(c.followup ? (earlier?.subjects ?? []) : []), ...own.filter((id) => type(id) !== 'list')].flatMap(
        (id) => subprojectOf(facts, id),
      ),
    ),
  ];
  const whichIsThat = c.forms.has('list') && before.length > 0 && subjects.includes('subprojects');
  if (!yesno && !aboutMember && !whichIsThat) return undefined;
  // "Can you recommend a laptop for machine learning?": words nothing explains, and no list named,
  // make it a question about something else.
  if (q.doubtful && !namesList(facts, q)) return undefined;
  const explicit = subjects.filter((id) => type(id) === 'list');
  const listScore = [...LIST_ATTRIBUTES].reduce((n, a) => n + (scores.get(a) ?? 0), 0);
  /** The list entities that the subjects' list facts name (the fields of the first round…). */
  const listsOfFacts = () =>
    [
      ...new Set(
        [...LIST_ATTRIBUTES].flatMap((a) =>
          facts.lookup(subjects, a, round).facts.flatMap((f) => f.fact.list ?? []),
        ),
      ),
    ].flatMap(entityOf);
  let lists: Entity[] = [];
  if (round === 'first') lists = listsOfFacts();
  if (!lists.length) lists = explicit.flatMap(entityOf);
  if (!lists.length && listScore > 0) lists = listsOfFacts();
  if (!lists.length && earlier?.list && !c.entities.some((m) => SUBJECT_TYPES.has(type(m.id) ?? '')))
    lists = entityOf(earlier.list);
  // Candidates: fields and bodies named; sub-projects when the list is of sub-projects.
  let candidates = members;
  if (lists.some((l) => l.id === 'subprojects')) {
    candidates = [...candidates, ...subjects.filter((id) => type(id) === 'subproject')];
    if (!candidates.length) candidates = before;
  }
  if (!lists.length && candidates.length) {
    // "Is AI included?": the lists that name it.
    const containing = candidates.flatMap((m) => facts.listsOf(m));
    if (!containing.length) return undefined;
    lists = containing;
  }
  if (!lists.length) return undefined;
  // Something not on any list ("quantum computing") is asked about only with a list named in so
  // many words, and never when the words ask for a detail the sources do not give ("visa support"),
  // unless the list itself is named ("Is a 'young scientist fund' one of the four sub-projects?").
  const residual = c.residual.join(' ').trim();
  const listNamed = explicit.length > 0 || listScore >= 1.5 || Boolean(earlier?.list);
  const unpublishedAsked = [...scores].some(
    ([a, score]) => score >= UNPUBLISHED_STRONG && facts.attribute(a)?.published === false,
  );
  if (
    !candidates.length &&
    (!residual ||
      !listNamed ||
      (unpublishedAsked && !explicit.length) ||
      // "参加培训的学时会不会有正式的记录？" after a list: it asks a detail, not about the list.
      (strongOther && !explicit.length) ||
      residual.split(/\s+/).length > 4)
  )
    return undefined;
  const first = candidates[0];
  // "Is AI covered?": where no list was named, the list that names it.
  if (first && !explicit.length && !lists.some((l) => l.members?.includes(first))) {
    const containing = facts.listsOf(first);
    if (containing.length) lists = containing;
  }
  const list = (first ? lists.find((l) => l.members?.includes(first)) : undefined) ?? (lists[0] as Entity);
  const listFacts = facts.lookup([list.id], 'members', undefined).facts;
  if (first) {
    const named = facts.entity(first) as Entity;
    const verdict = list.members?.includes(first) ? 'yes' : 'no';
    const elsewhere = verdict === 'no' ? facts.listsOf(first).find((l) => l.id !== list.id) : undefined;
    // Its own list's shortest fact, for the source of "X is one of …".
    const [shortest] = elsewhere
      ? facts
          .lookup([elsewhere.id], 'members', undefined)
          .facts.toSorted((a, b) => a.fact.text.en.length - b.fact.text.en.length)
      : [];
    return {
      kind: 'member',
      verdict,
      named,
      list,
      facts: shortest ? [...listFacts, shortest] : listFacts,
      ...(elsewhere ? { elsewhere } : {}),
      ...(whichIsThat && !yesno ? { which: true } : {}),
    };
  }
  return { kind: 'member', verdict: 'no', named: c.quoted ?? residual, list, facts: listFacts };
}
