/**
 * From an analysed message to what the answer says: for each question, the facts that answer it,
 * a yes or no from a list, the arithmetic of two facts, or "the sources do not give this". Never a
 * neighbouring fact for a detail the sources do not give, and never a first-round figure as the
 * new round's. Follow-ups take their subject from the question before (in the message, or the
 * conversation's last subject).
 *
 * Each clause goes through: read the question (question.ts) → not about the programme? search the
 * topics → a yes/no about a list (membership.ts) → a figure it quotes → the attribute asked
 * (attributes.ts), its facts and their arithmetic (figures.ts), or that they are not published.
 */
import type { KnowledgeEntry } from '../../knowledge/schema.ts';
import type { ConversationSubject } from '../types.ts';
import { type Analysis, type Clause, MAX_QUESTIONS, SUBJECT_TYPES } from '../understanding/analyze.ts';
import { type Choice, chooseAttribute } from './attributes.ts';
import type { Facts } from './facts.ts';
import { figureAnswer } from './figures.ts';
import { membership, namesList } from './membership.ts';
import { dedupe, type Part, type Resolution } from './parts.ts';
import { asksWhatSuits, personaPart } from './persona.ts';
import {
  GENERIC,
  type Question,
  type Resolved,
  readQuestion,
  STRONG_CUE,
  UNPUBLISHED_STRONG,
} from './question.ts';

export type { MathOp, Part, Resolution, Verdict } from './parts.ts';

type Answered = Resolved & { part?: Part };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A second attribute this strongly asked in one clause is answered too. */
const ALSO_ASKED = 3;

export function createResolver(
  facts: Facts,
  retrieve: (text: string) => { entry: KnowledgeEntry; confidence: number } | undefined,
) {
  const type = (id: string) => facts.entity(id)?.type ?? '';

  function resolve(analysis: Analysis, context: ConversationSubject | undefined): Resolution {
    const parts: Part[] = [];
    let subject: ConversationSubject | undefined;
    let weight = 0;
    let unexplained = 0;
    const persona = personaPart(facts, analysis, context?.persona);
    // What the message said before its question ("…we'd like our centre to become a national base.
    // Who approves that?") is what a question that names nothing refers to.
    let prev = backgroundOf(analysis);
    for (const asked of analysis.clauses.slice(0, MAX_QUESTIONS)) {
      const clause = checking(analysis, asked);
      weight += clause.weight;
      unexplained += clause.unexplained;
      // A question about what suits the writer is answered by the persona (unless it names its own subject).
      const specific = clause.entities.some(
        (m) => SUBJECT_TYPES.has(type(m.id)) && !GENERIC.has(m.id) && type(m.id) !== 'list',
      );
      if (persona && asksWhatSuits(facts, clause) && !specific) continue;
      const r = resolveClause(analysis, clause, prev, context);
      if (r.part) parts.push(r.part);
      if (r.subjects.length) {
        prev = r;
        // The same asked of something else: both are "两者" / "the two" next.
        const shifted =
          subject === undefined &&
          context?.attribute !== undefined &&
          context.attribute === r.attribute &&
          !r.subjects.some((id) => context.entities.includes(id));
        subject = {
          entities: r.subjects,
          ...(shifted ? { earlier: context.entities } : {}),
          ...(r.attribute ? { attribute: r.attribute } : {}),
          ...(r.round ? { round: r.round } : {}),
          ...(r.list ? { list: r.list } : {}),
        };
      }
    }
    if (persona) parts.unshift(persona);
    // What the user told of their work is kept for the rest of the conversation.
    const told = analysis.persona ?? context?.persona;
    if (told) {
      const { roles, titles, fields, mentions } = told;
      subject = { ...(subject ?? { entities: [] }), persona: { roles, titles, fields, mentions } };
    }
    const confidence = weight === 0 ? (persona ? 1 : 0) : Math.max(0, 1 - unexplained / weight);
    return { parts: dedupe(parts), ...(subject ? { subject } : {}), confidence };
  }

  /**
   * "I read that it trains 200,000 people a year across 3,000 courses. Is that right?": a yes or no
   * that names and asks nothing of its own checks the statement before it.
   */
  function checking(analysis: Analysis, c: Clause): Clause {
    const bare =
      c.forms.has('yesno') &&
      !c.entities.length &&
      !c.numbers.length &&
      Math.max(0, ...c.attributes.values()) < 1;
    const said = bare ? analysis.background.filter((b) => b.end <= c.start).at(-1) : undefined;
    if (!said || (!said.numbers.length && !said.entities.length)) return c;
    const attributes = new Map(said.attributes);
    for (const [id, score] of c.attributes) attributes.set(id, (attributes.get(id) ?? 0) + score);
    return {
      ...said,
      end: c.end,
      attributes,
      forms: new Set([...said.forms, ...c.forms]),
      followup: c.followup,
      asks: true,
      weight: said.weight + c.weight,
      unexplained: said.unexplained + c.unexplained,
      foreign: said.foreign + c.foreign,
    };
  }

  /** The last statement of the message that names something of the programme. */
  function backgroundOf(analysis: Analysis): Resolved | undefined {
    for (const c of [...analysis.background].reverse()) {
      const subjects = [...new Set(c.entities.map((m) => m.id).filter((id) => SUBJECT_TYPES.has(type(id))))];
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

  function resolveClause(
    analysis: Analysis,
    c: Clause,
    prev: Resolved | undefined,
    context: ConversationSubject | undefined,
  ): Answered {
    const q = readQuestion(facts, c, prev, context);
    const base: Resolved = { subjects: q.subjects, ...(q.round ? { round: q.round } : {}) };
    const nothingNamed = !q.subjects.length && !q.members.length;
    if (nothingNamed && !q.scores.size && !c.numbers.length) return { ...base, ...retrieved(analysis, c) };
    // Nothing of the programme named and most words unexplained: not a programme question; nor
    // with a field named among them and no list ("Can you recommend a laptop for machine learning?").
    if (q.doubtful && !q.own.length && !q.earlier && (!q.members.length || !namesList(facts, q)))
      return { ...base, ...retrieved(analysis, c) };
    const member = membership(facts, q);
    if (member)
      return {
        ...base,
        subjects: q.subjects.length ? q.subjects : ['project'],
        part: member,
        list: member.list.id,
      };
    // "90万人那个是哪个项目": the figure asked about names the thing (not in "这8万人都能拿到职称证书吗？",
    // which asks a detail the sources do not give).
    const unpublishedAsked = [...q.scores].some(
      ([id, score]) => score >= UNPUBLISHED_STRONG && facts.attribute(id)?.published === false,
    );
    const quoted = !q.own.length && !unpublishedAsked ? facts.withValue(c.numbers) : [];
    if (quoted.length)
      return { ...base, subjects: quoted[0]?.fact.subject ?? [], part: { kind: 'facts', facts: quoted } };
    return byAttribute(analysis, q);
  }

  /** The attribute asked of the subjects, and its facts, or that the sources do not give it. */
  function byAttribute(analysis: Analysis, q: Question): Answered {
    const { clause: c, own, members, round, scores } = q;
    let subjects = q.subjects.length ? q.subjects : members.length ? members.slice(0, 1) : ['project'];
    const base: Resolved = { subjects, ...(round ? { round } : {}) };
    let choice = chooseAttribute(facts, c, subjects, scores, round);
    if (q.rounds.length > 1 && choice?.attribute.published) {
      // Both rounds named ("第一轮和新一轮分别是哪几年？"): each round's own fact; a figure only the
      // first round has is not the new round's ("…like the first round's 12.643 million?").
      const all = facts.lookup(subjects, choice.attribute.id, undefined);
      const [first = [], next = []] = (['first', 'new'] as const).map((r) =>
        [...all.facts, ...all.otherRound].filter((f) => f.fact.round === r),
      );
      if (first.length && !next.length) {
        // "new round vs first round - how many bases did the first one build": the first round's,
        // as such, unless the question quotes it ("…build 200 bases like the first round?").
        const quotes = first.some((f) => c.numbers.includes(f.fact.value as number));
        const subject = facts.entity('new-round');
        return {
          ...base,
          attribute: choice.attribute.id,
          round: 'new',
          part: {
            kind: 'unpublished',
            attributes: [choice.attribute],
            subject,
            round: 'new',
            ...(quotes ? {} : { besides: first }),
          },
        };
      }
      if (first.length) choice = { ...choice, found: { facts: [...first, ...next], otherRound: [] } };
    }
    // "那省里起什么作用？" after who approves national bases: what the facts of the thing talked about say of the body.
    const bodies = members.filter((id) => type(id) === 'body');
    if (!own.length && q.earlier && bodies.length && !choice?.found.facts.length) {
      const named = facts.mentioning(subjects, bodies);
      if (named.length) return { ...base, part: { kind: 'facts', facts: named } };
    }
    // Nothing of the programme named: a detail that only one thing has answers itself ("培训学时记到哪里").
    if (
      choice &&
      !own.length &&
      !members.length &&
      !c.foreign &&
      !choice.found.facts.length &&
      choice.attribute.published
    ) {
      const owners = facts.ownersOf(choice.attribute.id, round);
      if (owners.length === 1) {
        subjects = owners;
        base.subjects = subjects;
        choice = { ...choice, found: facts.lookup(subjects, choice.attribute.id, round) };
      }
    }
    // "How many days passed between the plan's date and the report?": two dates asked, and the days between.
    if (q.asked('difference')) {
      const dates = [...scores]
        .filter(([id, score]) => score >= 1 && facts.attribute(id)?.type === 'date')
        .flatMap(([id]) => facts.lookup(subjects, id, round).facts.slice(0, 1))
        .filter((f) => ISO_DATE.test(String(f.fact.value)));
      if (dates.length >= 2) {
        const things = subjects.flatMap((id) => facts.entity(id) ?? []);
        return { ...base, part: { kind: 'math', op: 'days', facts: dates.slice(0, 2), subjects: things } };
      }
    }
    const ofField = fieldAsked(q, choice);
    if (ofField) return { ...base, ...ofField };
    // "What is the difference between advanced training and ability improvement training?": whom
    // each is for and how many it trains, unless one thing is asked of both.
    const covered = own.every((id) => choice?.found.facts.some((f) => f.fact.subject.includes(id)));
    if (
      own.length >= 2 &&
      (q.math || scores.has('relation')) &&
      !covered &&
      own.every((id) => type(id) === 'subproject')
    ) {
      const compared = ['audience', 'people-per-year'].flatMap((a) => facts.lookup(own, a, round).facts);
      if (compared.length) return { ...base, part: { kind: 'facts', facts: compared } };
    }
    if (!choice) {
      // "这个工程要持续到哪一年？四个重点子项目分别是什么？": beside other questions (where a whole
      // topic would make the reply too long), a list named is answered by its members.
      const lists = own.filter((id) => type(id) === 'list');
      const named = lists.length ? facts.lookup(lists, 'members', round).facts : [];
      if (named.length && analysis.clauses.length > 1)
        return { ...base, list: lists[0] as string, part: { kind: 'facts', facts: named } };
      const topicOf = subjects.map((id) => facts.entity(id)?.topic).find(Boolean);
      const entry = topicOf ? facts.topic(topicOf) : undefined;
      // A thing named ("高研班?", "what is X", "and the digital one?"), asked nothing particular: its topic.
      if (entry && own.length && !q.doubtful && (q.asked('what') || !c.forms.size || q.asked('yesno')))
        return { ...base, part: { kind: 'topic', entry } };
      return { ...base, ...retrieved(analysis, c) };
    }
    const { attribute } = choice;
    let found = choice.found;
    const res: Resolved = { ...base, attribute: attribute.id };
    // How to take part in a sub-project without a word of its own: the project's general guidance.
    if (attribute.general && !found.facts.length) found = facts.lookup(['project'], attribute.id, round);
    // "Which sub-project is the biggest?", "有适合我的子项目吗？": the list's members, compared.
    if ((attribute.type === 'number' || attribute.id === 'audience') && !found.facts.length) {
      const expanded = subjects.flatMap((id) => facts.entity(id)?.members ?? []);
      if (expanded.length) found = facts.lookup(expanded, attribute.id, round);
    }
    const subject =
      subjects.map((id) => facts.entity(id)).find((e) => e && e.type !== 'round') ??
      facts.entity(subjects[0] ?? '');
    // "说白了到底是干嘛的": what a thing is about, where it has no fact of its own, is its topic.
    if (attribute.describes && !found.facts.length && !q.doubtful) {
      const entry = facts.topic(subject?.topic ?? '');
      if (entry) return { ...res, part: { kind: 'topic', entry } };
    }
    if (!attribute.published || !found.facts.length || q.doubtful) {
      // "So the new round has already trained 12.6 million, right?": that is the first round's figure, said as such.
      const mistaken =
        round === 'new' && !found.facts.length
          ? facts
              .withValueNear(c.numbers)
              .filter(
                (f) =>
                  f.fact.round === 'first' &&
                  f.fact.attribute.some((a) => facts.attribute(a)?.type === 'number'),
              )
          : [];
      // Every detail asked that the sources do not give is named ("where… and who pays…").
      const others = [...scores]
        .filter(
          ([id, score]) =>
            id !== attribute.id && score >= STRONG_CUE && facts.attribute(id)?.published === false,
        )
        .flatMap(([id]) => facts.attribute(id) ?? []);
      return {
        ...res,
        part: {
          kind: 'unpublished',
          attributes: [attribute, ...others],
          subject,
          ...(round && found.otherRound.length && !found.facts.length ? { round } : {}),
          ...(mistaken.length ? { mistaken } : {}),
          ...(q.doubtful && attribute.published && found.facts.length
            ? { detail: c.residual.join(' ') }
            : {}),
        },
      };
    }
    const list = found.facts.flatMap((f) => f.fact.list ?? [])[0];
    if (list) res.list = list;
    const part = figureAnswer(facts, q, attribute, found.facts, subjects);
    // "What approach does it use, and where do the training hours get recorded?": every other
    // thing asked in so many words that the subject has a fact for.
    if (part.kind === 'facts' || part.kind === 'check') {
      // A figure checked beside another ("200,000 people across 3,000 courses?"): both are checked.
      const checked = (id: string) => part.kind === 'check' && facts.attribute(id)?.type === 'number';
      const also = [...scores]
        .filter(
          ([id, score]) =>
            id !== attribute.id &&
            (score >= ALSO_ASKED || (checked(id) && score >= 1)) &&
            facts.attribute(id)?.published,
        )
        .flatMap(([id]) => facts.lookup(subjects, id, round).facts)
        .filter((f) => !part.facts.includes(f));
      if (also.length) return { ...res, part: { ...part, facts: [...part.facts, ...also] } };
    }
    return { ...res, part };
  }

  /**
   * A field asked about on its own: what is true of its whole project ("物联网工程师怎么培养" is
   * how the digital technology engineer project trains), never one of the project's figures.
   */
  function fieldAsked(q: Question, choice: Choice | undefined): Answered | undefined {
    const { clause: c, own, members, scores, round } = q;
    if (own.length || !members.length || q.doubtful || c.foreign) return undefined;
    if (choice && (choice.found.facts.length || choice.attribute.type === 'number')) return undefined;
    const field = facts.entity(members[0] as string);
    const list = facts.listsOf(members[0] as string)[0];
    const owner = list ? facts.ownersOfList(list.id)[0] : undefined;
    if (!field || !list || !owner) return undefined;
    const ofOwner = chooseAttribute(facts, c, [owner], scores, round);
    if (!ofOwner?.found.facts.length || ofOwner.attribute.type === 'number') return undefined;
    return {
      subjects: [owner],
      attribute: ofOwner.attribute.id,
      list: list.id,
      part: { kind: 'member', verdict: 'yes', named: field, list, facts: ofOwner.found.facts },
    };
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
