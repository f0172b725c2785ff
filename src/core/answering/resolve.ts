/**
 * From an analysed message to what the answer says: for each question, the facts that answer it,
 * a yes or no from a list, the arithmetic of two facts, or "the sources do not give this". Never a
 * neighbouring fact for a detail the sources do not give, and never a first-round figure as the
 * new round's. Follow-ups take their subject from the question before (in the message, or the
 * conversation's last subject).
 */
import type { Attribute, Entity, Form, KnowledgeEntry, Round } from '../../knowledge/schema.ts';
import { recommend } from '../dialog/flows.ts';
import type { ConversationSubject } from '../types.ts';
import { type Analysis, type Clause, MAX_QUESTIONS } from '../understanding/analyze.ts';
import type { FactRef, Facts } from './facts.ts';

export type Verdict = 'yes' | 'no';

export type Part =
  | { kind: 'facts'; facts: FactRef[] }
  /** A yes/no about a figure ("Does it train 30,000 a year?"). */
  | { kind: 'check'; verdict: Verdict; facts: FactRef[] }
  /** Two or more figures and the arithmetic asked. */
  | { kind: 'math'; op: MathOp; facts: FactRef[]; subjects: Entity[] }
  /** Is X one of a list? `named`: the candidate as an entity, or as the person wrote it. */
  | { kind: 'member'; verdict: Verdict; named: Entity | string; list: Entity; facts: FactRef[] }
  | { kind: 'topic'; entry: KnowledgeEntry }
  /** The sources do not give this detail (for this subject, or for this round). */
  | {
      kind: 'unpublished';
      attributes: Attribute[];
      subject: Entity | undefined;
      round?: Round;
      detail?: string;
    }
  /** Sub-projects that suit a person who described their work (and where their field is listed). */
  | {
      kind: 'persona';
      picks: string[];
      asked: string | undefined;
      facts: FactRef[];
      listed: Array<{ field: Entity; list: Entity }>;
    };

export type MathOp = 'difference' | 'compare' | 'ratio' | 'sum' | 'share' | 'average' | 'per-year';

export interface Resolution {
  parts: Part[];
  /** What the conversation is about now (for the next follow-up). */
  subject?: ConversationSubject;
  /** How much of the questions the analysis explained (0..1). */
  confidence: number;
}

const SUBJECT_TYPES = new Set(['project', 'round', 'document', 'list', 'subproject', 'base-level']);
const LISTS_COUNTED = 2;
/** The weight of one unknown English word (or two unknown characters). */
const ONE_WORD = 1.5;
const QUOTED_FIGURE = 2;
/** An occupation named with a sub-project asks whom it is for ("can managers join the advanced courses?"). */
const OCCUPATION_ASKS = 2.5;
/** A detail the sources never give, asked in so many words ("落户", "fee"), outweighs a fact nearby. */
const UNPUBLISHED_STRONG = 2.5;
/** Subjects that stand back when something more specific is named. */
const GENERIC: ReadonlySet<string> = new Set(['project', 'new-round']);
const MEMBER_TYPES = new Set(['field', 'body']);
/** A cue score this high says on its own what is asked ("fee", "文号", "多少期"). */
const STRONG_CUE = 2;
/** The share of a question's words that may go unexplained before its answer is in doubt. */
const UNEXPLAINED_SHARE = 0.34;
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
const DEFAULTS: Partial<Record<Form, string[]>> = {
  count: ['people-per-year', 'min-people-per-year', 'courses-per-year', 'members'],
  when: ['period', 'date-issued', 'first-batch'],
  who: ['audience', 'issuers', 'delivery'],
  why: ['aims'],
  how: ['how-to-join', 'approach'],
  list: ['fields', 'members', 'subprojects'],
  fit: ['audience'],
};
/** Attribute types a "how many" can ask for (a list's length too). */
const COUNTABLE: ReadonlySet<string> = new Set(['number', 'list', 'bodies']);
const LIST_ATTRIBUTES: ReadonlySet<string> = new Set(['fields', 'issuers', 'members', 'subprojects']);
const MATH_FORMS: Array<MathOp & Form> = ['difference', 'ratio', 'sum', 'share', 'average', 'compare'];

interface Resolved {
  part?: Part;
  subjects: string[];
  attribute?: string;
  round?: Round;
  list?: string;
}

export function createResolver(
  facts: Facts,
  retrieve: (text: string) => { entry: KnowledgeEntry; confidence: number } | undefined,
) {
  const type = (id: string) => facts.entity(id)?.type;

  function resolve(analysis: Analysis, context: ConversationSubject | undefined): Resolution {
    const parts: Part[] = [];
    let prev: Resolved | undefined;
    let subject: ConversationSubject | undefined;
    let weight = 0;
    let unexplained = 0;
    const persona = personaPart(analysis);
    // What the message said before its question ("…we'd like our centre to become a national base.
    // Who approves that?") is what a question that names nothing refers to.
    prev = backgroundOf(analysis);
    for (const clause of analysis.clauses.slice(0, MAX_QUESTIONS)) {
      weight += clause.weight;
      unexplained += clause.unexplained;
      // A question about what suits the writer is answered by the persona (unless it names its own subject).
      const specific = clause.entities.some(
        (m) => SUBJECT_TYPES.has(type(m.id) ?? '') && !GENERIC.has(m.id) && type(m.id) !== 'list',
      );
      if (persona && personaClause(clause) && !specific) continue;
      const r = resolveClause(analysis, clause, prev, context);
      if (r.part) parts.push(r.part);
      if (r.subjects.length) {
        prev = r;
        subject = {
          entities: r.subjects,
          ...(r.attribute ? { attribute: r.attribute } : {}),
          ...(r.round ? { round: r.round } : {}),
          ...(r.list ? { list: r.list } : {}),
        };
      }
    }
    if (persona) parts.unshift(persona);
    const confidence = weight === 0 ? 0 : Math.max(0, 1 - unexplained / weight);
    return { parts: dedupe(parts), ...(subject ? { subject } : {}), confidence };
  }

  function backgroundOf(analysis: Analysis): Resolved | undefined {
    for (const c of [...analysis.background].reverse()) {
      const subjects = [
        ...new Set(c.entities.map((m) => m.id).filter((id) => SUBJECT_TYPES.has(type(id) ?? ''))),
      ];
      if (!subjects.length) continue;
      const strongest = [...c.attributes].sort((a, b) => b[1] - a[1])[0];
      const round = subjects.map((id) => facts.entity(id)?.round).find(Boolean);
      return {
        subjects: subjects.filter((id) => !GENERIC.has(id) || subjects.every((s) => GENERIC.has(s))),
        ...(strongest && strongest[1] >= 1 ? { attribute: strongest[0] } : {}),
        ...(round ? { round } : {}),
      };
    }
    return undefined;
  }

  /** A question asking what suits the writer, who told about their work. */
  const personaClause = (c: Clause): boolean => c.forms.has('fit');

  function personaPart(analysis: Analysis): Part | undefined {
    const p = analysis.persona;
    if (!p || !analysis.clauses.some(personaClause)) return undefined;
    // A field of the digital technology engineer project ("intelligent manufacturing", "芯片") is digital work.
    const digital = p.fields.some((f) =>
      facts.listsOf(f).some((l) => facts.ownersOfList(l.id).includes('digital-engineer')),
    );
    const fieldOption = digital ? 'it' : p.fields.map((f) => facts.entity(f)?.field).find(Boolean);
    const picks = recommend({
      role: p.roles.includes('manager')
        ? 'manager'
        : p.roles.includes('digital')
          ? 'digital'
          : (p.roles[0] ?? null),
      title: p.titles[p.titles.length - 1] ?? null,
      field: fieldOption ?? null,
    });
    const asked = analysis.clauses
      .flatMap((c) => c.entities)
      .map((m) => m.id)
      .find((id) => type(id) === 'subproject');
    const audience = picks.flatMap((id) => facts.lookup([id], 'audience', undefined).facts);
    const listed = p.fields.flatMap((f) => {
      const field = facts.entity(f);
      const list = facts.listsOf(f).find((l) => facts.ownersOfList(l.id).some((o) => picks.includes(o)));
      return field && list ? [{ field, list }] : [];
    });
    return { kind: 'persona', picks, asked, facts: audience, listed: listed.slice(0, 2) };
  }

  function resolveClause(
    analysis: Analysis,
    c: Clause,
    prev: Resolved | undefined,
    context: ConversationSubject | undefined,
  ): Resolved {
    // Entities: weak names count only where their family is already the topic.
    const families = new Set(
      [...(context?.entities ?? []), ...(prev?.subjects ?? []), ...c.entities.map((m) => m.id)]
        .map((id) => facts.entity(id)?.family)
        .filter(Boolean),
    );
    let ids = [
      ...new Set(
        [...c.entities, ...c.weak.filter((m) => families.has(facts.entity(m.id)?.family))]
          .sort((a, b) => a.start - b.start)
          .map((m) => m.id),
      ),
    ];
    // The round: named as a round ("新一轮", "the first round"); else by a list of one round; else the last one's.
    const rounds = [
      ...new Set(ids.filter((id) => type(id) === 'round').map((id) => facts.entity(id)?.round)),
    ];
    const earlierRound = prev?.round ?? context?.round;
    let round: Round | undefined =
      rounds.length === 1
        ? rounds[0]
        : rounds.length
          ? undefined
          : ids.map((id) => facts.entity(id)?.round).find(Boolean);
    // "第一轮的重点领域": in the first round the same words name its own list.
    if (round === 'first') ids = ids.map((id) => facts.entity(id)?.firstRound ?? id);
    const asked = (form: Form) => c.forms.has(form);
    const math = MATH_FORMS.some((f) => asked(f));
    let own = ids.filter((id) => SUBJECT_TYPES.has(type(id) ?? ''));
    // "知识更新工程中高级研修项目": the specific thing, not the project around it (unless compared,
    // or both rounds are named).
    if (!math && rounds.length < 2 && own.some((id) => !GENERIC.has(id)))
      own = own.filter((id) => !GENERIC.has(id));
    const members = ids.filter((id) => MEMBER_TYPES.has(type(id) ?? ''));
    const occupations = ids.filter((id) => type(id) === 'occupation');
    const places = ids.filter((id) => type(id) === 'place');
    const earlier = prev ?? (context ? { ...context, subjects: context.entities } : undefined);
    const elliptical = own.length === 0;
    if (!round && !rounds.length && (c.sameRound || elliptical)) round = earlier?.round ?? earlierRound;

    // Which attributes are asked. A follow-up without any ("and the digital one?") asks the last
    // one again; an occupation named asks whom it is for ("can managers join?").
    const scores = new Map(c.attributes);
    const strongest = Math.max(0, ...scores.values());
    if (earlier?.attribute && strongest < 1 && (c.followup || (elliptical && !asked('what'))))
      scores.set(earlier.attribute, Math.max(scores.get(earlier.attribute) ?? 0, STRONG_CUE));
    // An occupation named in "can X join…?" asks whom it is for (not in "does it certify 80,000 engineers?").
    const figures = c.numbers.length > 0 || asked('count');
    if (
      occupations.length &&
      own.length &&
      !figures &&
      (asked('yesno') || asked('fit') || c.attributes.has('how-to-join'))
    )
      scores.set('audience', (scores.get('audience') ?? 0) + OCCUPATION_ASKS);
    // A province or city named asks what happens there: the sources give nothing by place.
    if (places.length) scores.set('local', (scores.get('local') ?? 0) + UNPUBLISHED_STRONG);
    // "第一轮的重点领域加上现代服务业领域，一共多少个？": lists named and counted ask how many they name.
    if (own.some((id) => type(id) === 'list') && (asked('count') || asked('sum')))
      scores.set('members', (scores.get('members') ?? 0) + LISTS_COUNTED);
    // A figure the question quotes tells which one is meant ("是不是一年认证8万个工程师？").
    for (const ref of facts.withValue(c.numbers)) {
      for (const a of ref.fact.attribute) scores.set(a, (scores.get(a) ?? 0) + QUOTED_FIGURE);
    }
    // A detail nobody could answer from these facts ("…on quantum computing", "…in Beijing"); one
    // stray word beside a clear question ("how many courses is that spread over?") is no doubt.
    const clear =
      (own.length > 0 || members.length > 0) &&
      Math.max(0, ...c.attributes.values()) >= STRONG_CUE &&
      c.unexplained <= ONE_WORD;
    const doubtful = c.unexplained > Math.max(1, UNEXPLAINED_SHARE * c.weight) && c.foreign > 0 && !clear;

    let subjects = own.length ? own : (earlier?.subjects ?? []);
    const base: Resolved = { subjects, ...(round ? { round } : {}) };
    if (!subjects.length && !members.length && !scores.size && !c.numbers.length) {
      return { ...base, ...retrieved(analysis, c) };
    }
    // Nothing of the programme named and most words unexplained: not a programme question.
    if (doubtful && !own.length && !members.length && !earlier) return { ...base, ...retrieved(analysis, c) };

    // Is X one of a list? ("Is blockchain one of them?", "AI属于哪个项目", "高端装备呢")
    const membership = member(
      c,
      subjects.length ? subjects : ['project'],
      own,
      members,
      scores,
      round,
      earlier,
      doubtful,
    );
    if (membership) {
      return {
        ...base,
        subjects: subjects.length ? subjects : ['project'],
        part: membership,
        list: membership.list.id,
      };
    }
    // "90万人那个是哪个项目": the figure asked about names the thing.
    if (!own.length && c.numbers.length) {
      const matching = facts.withValue(c.numbers);
      if (matching.length)
        return {
          ...base,
          subjects: matching[0]?.fact.subject ?? [],
          part: { kind: 'facts', facts: matching },
        };
    }
    if (!subjects.length) subjects = members.length ? members.slice(0, 1) : ['project'];
    base.subjects = subjects;

    let choice = chooseAttribute(c, subjects, scores, round);
    if (rounds.length > 1 && choice?.attribute.published) {
      // Both rounds named ("第一轮和新一轮分别是哪几年？"): each round's own fact; a figure only the
      // first round has is not the new round's ("…like the first round's 12.643 million?").
      const all = facts.lookup(subjects, choice.attribute.id, undefined);
      const byRound = (['first', 'new'] as const).map((r) =>
        [...all.facts, ...all.otherRound].filter((f) => f.fact.round === r),
      );
      if (byRound[0]?.length && !byRound[1]?.length) {
        return {
          ...base,
          attribute: choice.attribute.id,
          round: 'new',
          part: {
            kind: 'unpublished',
            attributes: [choice.attribute],
            subject: facts.entity('new-round'),
            round: 'new',
          },
        };
      }
      if (byRound[0]?.length) choice = { ...choice, found: { facts: byRound.flat(), otherRound: [] } };
    }
    // Nothing of the programme named: a detail that only one thing has answers itself ("培训学时记到哪里").
    if (choice && !own.length && !c.foreign && !choice.found.facts.length && choice.attribute.published) {
      const owners = facts.ownersOf(choice.attribute.id, round);
      if (owners.length === 1) {
        subjects = owners;
        base.subjects = subjects;
        choice = { ...choice, found: facts.lookup(subjects, choice.attribute.id, round) };
      }
    }
    // A field asked about on its own: what is true of its whole project ("物联网工程师怎么培养"), but
    // no figure of the project is the field's own.
    if (
      !own.length &&
      members.length &&
      !doubtful &&
      c.foreign === 0 &&
      (!choice || (!choice.found.facts.length && choice.attribute.type !== 'number'))
    ) {
      const list = facts.listsOf(members[0] as string)[0];
      const owner = list ? facts.ownersOfList(list.id)[0] : undefined;
      const ownerChoice = owner ? chooseAttribute(c, [owner], scores, round) : undefined;
      if (list && owner && ownerChoice?.found.facts.length && ownerChoice.attribute.type !== 'number') {
        const e = facts.entity(members[0] as string) as Entity;
        return {
          ...base,
          subjects: [owner],
          attribute: ownerChoice.attribute.id,
          list: list.id,
          part: {
            kind: 'member',
            verdict: 'yes',
            named: e,
            list,
            facts: ownerChoice.found.facts,
          },
        };
      }
    }
    // "What is the difference between advanced training and ability improvement training?": whom
    // each is for and how many it trains, unless one thing is asked of both.
    const covered = own.every((id) => choice?.found.facts.some((f) => f.fact.subject.includes(id)));
    if (
      own.length >= 2 &&
      (math || scores.has('relation')) &&
      !covered &&
      own.every((id) => type(id) === 'subproject')
    ) {
      const compared = ['audience', 'people-per-year'].flatMap((a) => facts.lookup(own, a, round).facts);
      if (compared.length) return { ...base, part: { kind: 'facts', facts: compared } };
    }
    if (!choice) {
      const topicOf = subjects.map((id) => facts.entity(id)?.topic).find(Boolean);
      const entry = topicOf ? facts.topic(topicOf) : undefined;
      // A thing named ("高研班?", "what is X", "and the digital one?"), asked nothing particular: its topic.
      if (entry && own.length && !doubtful && (asked('what') || !c.forms.size || asked('yesno')))
        return { ...base, part: { kind: 'topic', entry } };
      return { ...base, ...retrieved(analysis, c) };
    }
    const { attribute } = choice;
    let { found } = choice;
    const res: Resolved = { ...base, attribute: attribute.id };
    // How to take part in a sub-project without a word of its own: the project's general guidance.
    if (attribute.general && !found.facts.length) found = facts.lookup(['project'], attribute.id, round);
    // "Which sub-project is the biggest?": the list's members, compared.
    if (attribute.type === 'number' && !found.facts.length) {
      const expanded = subjects.flatMap((id) => facts.entity(id)?.members ?? []);
      if (expanded.length) found = facts.lookup(expanded, attribute.id, round);
    }
    const subjectEntity =
      subjects.map((id) => facts.entity(id)).find((e) => e && e.type !== 'round') ??
      facts.entity(subjects[0] ?? '');
    // "说白了到底是干嘛的": what a thing is about, where it has no fact of its own, is its topic.
    if (attribute.describes && !found.facts.length && !doubtful) {
      const entry = facts.topic(subjectEntity?.topic ?? '');
      if (entry) return { ...res, part: { kind: 'topic', entry } };
    }
    if (!attribute.published || !found.facts.length || doubtful) {
      // Every detail asked that the sources do not give is named ("where… and who pays…").
      const others = [...scores]
        .filter(
          ([id, score]) => id !== attribute.id && score >= 2 && facts.attribute(id)?.published === false,
        )
        .flatMap(([id]) => facts.attribute(id) ?? []);
      return {
        ...res,
        part: {
          kind: 'unpublished',
          attributes: [attribute, ...others],
          subject: subjectEntity,
          ...(round && found.otherRound.length && !found.facts.length ? { round } : {}),
          ...(doubtful && attribute.published && found.facts.length ? { detail: c.residual.join(' ') } : {}),
        },
      };
    }
    const listed = found.facts.flatMap((f) => f.fact.list ?? []);
    if (listed[0]) res.list = listed[0];

    // Average per course: people a year over courses a year, for one subject.
    if (asked('average') && subjects.length === 1) {
      const people = facts.lookup(subjects, 'people-per-year', round).facts[0];
      const courses = facts.lookup(subjects, 'courses-per-year', round).facts[0];
      if (people && courses)
        return {
          ...res,
          part: {
            kind: 'math',
            op: 'average',
            facts: [people, courses],
            subjects: subjects.flatMap(entityOf),
          },
        };
    }
    const op = MATH_FORMS.find((f) => asked(f));
    let numeric = found.facts.filter((f) => typeof f.fact.value === 'number');
    // A total over a round, averaged per year ("1264.3万人次, 平均每年多少").
    if (op === 'average' && attribute.total && numeric[0]?.fact.round) {
      const r = numeric[0].fact.round;
      const period = facts.lookup([`${r}-round`], 'period', r).facts[0];
      if (period && typeof period.fact.value === 'string')
        return {
          ...res,
          part: {
            kind: 'math',
            op: 'per-year',
            facts: [numeric[0], period],
            subjects: subjects.flatMap(entityOf),
          },
        };
    }
    // One figure each of two things asked about one subject ("200个基地是首批20个的几倍？").
    const oneThing = numeric.length === 1 && own.every((id) => numeric[0]?.fact.subject.includes(id));
    if (op && oneThing) {
      const second = secondFigure(subjects, scores, round, attribute.id);
      if (second) numeric = [...numeric, second];
    }
    // Two or more figures: the arithmetic asked.
    if (op && numeric.length >= 2) {
      return { ...res, part: { kind: 'math', op, facts: numeric, subjects: subjects.flatMap(entityOf) } };
    }
    // Arithmetic with a figure the sources do not give ("现代服务业领域占100万人的多少？"): not published.
    if (op && own.length >= 2 && attribute.type === 'number') {
      const missing = own.find((id) => !numeric.some((f) => f.fact.subject.includes(id)));
      if (missing)
        return {
          ...res,
          part: {
            kind: 'unpublished',
            attributes: [attribute],
            subject: facts.entity(missing),
            ...(round ? { round } : {}),
          },
        };
    }
    // Yes/no about a figure: compare with the figure asked.
    if (asked('yesno') && c.numbers.length && numeric.length) {
      const values = numeric.map((f) => f.fact.value as number);
      const verdict = c.numbers.some((n) => values.includes(n)) ? 'yes' : 'no';
      return { ...res, part: { kind: 'check', verdict, facts: found.facts } };
    }
    return { ...res, part: { kind: 'facts', facts: found.facts } };
  }

  const entityOf = (id: string): Entity[] => {
    const e = facts.entity(id);
    return e ? [e] : [];
  };

  /** The best-supported attribute for these subjects, with its facts. */
  function chooseAttribute(
    c: Clause,
    subjects: string[],
    scores: Map<string, number>,
    round: Round | undefined,
  ): { attribute: Attribute; found: ReturnType<Facts['lookup']> } | undefined {
    const candidates = new Map(scores);
    // A question word alone ("how many?", "when?") asks the usual attribute of its kind.
    for (const form of c.forms) {
      for (const id of DEFAULTS[form] ?? []) {
        if (!candidates.has(id) && subjects.some((s) => facts.has(s, id))) candidates.set(id, 0.25);
      }
    }
    let best:
      | { attribute: Attribute; found: ReturnType<Facts['lookup']>; score: number; cue: number }
      | undefined;
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
      // "How many…" and "by how much" ask for a figure, not a description.
      const figureAsked = [...c.forms].some((f) => f === 'count' || (MATH_FORMS as Form[]).includes(f));
      const untyped = figureAsked && !COUNTABLE.has(attribute.type) ? 1 : 0;
      const unpublished = attribute.published ? 0 : score >= UNPUBLISHED_STRONG ? 1.25 : 0.25;
      const total = score + (found.facts.length ? 1 : 0) + (typed ? 0.5 : 0) + unpublished - untyped;
      if (!best || total > best.score) best = { attribute, found, score: total, cue: score };
    }
    // "What is X?", "tell me about X": about the thing itself, unless a word clearly asks one thing of it.
    const math = MATH_FORMS.some((f) => c.forms.has(f));
    if (best && best.cue < STRONG_CUE && c.forms.has('what') && !math) return undefined;
    return best;
  }

  /** The figure of the next-best attribute asked, for arithmetic between two attributes. */
  function secondFigure(
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

  /** Yes or no: is a field, body or sub-project one of a list? */
  function member(
    c: Clause,
    subjects: string[],
    own: string[],
    members: string[],
    scores: Map<string, number>,
    round: Round | undefined,
    earlier: Resolved | undefined,
    doubtful: boolean,
  ): Extract<Part, { kind: 'member' }> | undefined {
    if (MATH_FORMS.some((f) => c.forms.has(f))) return undefined;
    const yesno = c.forms.has('yesno') || c.forms.has('fit');
    // Only a field or body is named, and nothing else is asked of it: where does it belong?
    const strongOther = [...scores].some(([a, score]) => score >= 1.5 && !LIST_ATTRIBUTES.has(a));
    const aboutMember = !own.length && members.length > 0 && !strongOther && !doubtful && c.foreign === 0;
    if (!yesno && !aboutMember) return undefined;
    const explicit = subjects.filter((id) => type(id) === 'list');
    const listScore = [...LIST_ATTRIBUTES].reduce((n, a) => n + (scores.get(a) ?? 0), 0);
    let lists: Entity[] = [];
    if (round === 'first') lists = listsOfFacts(subjects, round);
    if (!lists.length) lists = explicit.flatMap(entityOf);
    if (!lists.length && listScore > 0) lists = listsOfFacts(subjects, round);
    if (!lists.length && earlier?.list && !c.entities.some((m) => SUBJECT_TYPES.has(type(m.id) ?? '')))
      lists = entityOf(earlier.list);
    // Candidates: fields and bodies named; sub-projects when the list is of sub-projects.
    let candidates = members;
    if (lists.some((l) => l.id === 'subprojects'))
      candidates = [...candidates, ...subjects.filter((id) => type(id) === 'subproject')];
    if (!lists.length && candidates.length) {
      // "Is AI included?": the lists that name it.
      const containing = candidates.flatMap((m) => facts.listsOf(m));
      if (!containing.length) return undefined;
      lists = containing;
    }
    if (!lists.length) return undefined;
    // Something not on any list ("quantum computing") is asked about only with a list named in so
    // many words, and never when the words ask for a detail the sources do not give ("visa support").
    const residual = c.residual.join(' ').trim();
    const listNamed = explicit.length > 0 || listScore >= 1.5 || Boolean(earlier?.list);
    const unpublishedAsked = [...scores].some(
      ([a, score]) => score >= UNPUBLISHED_STRONG && facts.attribute(a)?.published === false,
    );
    if (
      !candidates.length &&
      (!residual || !listNamed || unpublishedAsked || residual.split(/\s+/).length > 4)
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
      const e = facts.entity(first) as Entity;
      return {
        kind: 'member',
        verdict: list.members?.includes(first) ? 'yes' : 'no',
        named: e,
        list,
        facts: listFacts,
      };
    }
    return { kind: 'member', verdict: 'no', named: residual, list, facts: listFacts };
  }

  /** The list entities that a subject's list facts name (the fields of the first round…). */
  function listsOfFacts(subjects: string[], round: Round | undefined): Entity[] {
    const ids = ['fields', 'issuers', 'subprojects', 'members'].flatMap((a) =>
      facts.lookup(subjects, a, round).facts.flatMap((f) => f.fact.list ?? []),
    );
    return [...new Set(ids)].flatMap(entityOf);
  }

  /** Nothing typed matched: the closest topic by search, if it covers the question. */
  function retrieved(analysis: Analysis, c: Clause): { part?: Part } {
    const start = analysis.tokens[c.start]?.start ?? 0;
    const end = analysis.tokens[c.end - 1]?.end ?? start;
    const hit = retrieve(analysis.text.slice(start, end));
    return hit ? { part: { kind: 'topic', entry: hit.entry } } : {};
  }

  return { resolve };
}

export type Resolver = ReturnType<typeof createResolver>;

/** The same part twice (two clauses that ask one thing) is said once. */
function dedupe(parts: Part[]): Part[] {
  const seen = new Set<string>();
  return parts.filter((p) => {
    const key = partKey(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What a part says, as a short key (the facts it gives, or what it says is not published). */
function partKey(p: Part): string {
  switch (p.kind) {
    case 'topic':
      return `topic ${p.entry.id}`;
    case 'unpublished':
      return `unpublished ${p.subject?.id} ${p.attributes.map((a) => a.id).join(',')} ${p.round ?? ''} ${p.detail ?? ''}`;
    case 'member':
      return `member ${typeof p.named === 'string' ? p.named : p.named.id} ${p.list.id}`;
    default:
      return `${p.kind} ${'op' in p ? p.op : ''} ${p.facts.map((f) => f.fact.text.en).join('|')}`;
  }
}
