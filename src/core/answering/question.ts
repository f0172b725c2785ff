/**
 * One analysed clause as a question about the facts: which things it names (as subjects, as
 * members of lists, as occupations or places), which round, which attributes it asks for and how
 * strongly, and whether its words leave room for doubt. What it does not name it takes from the
 * question before (in the message, or the conversation's last subject).
 */
import type { Form, Round } from '../../knowledge/schema.ts';
import type { ConversationSubject } from '../types.ts';
import { type Clause, SUBJECT_TYPES } from '../understanding/analyze.ts';
import type { Facts } from './facts.ts';
import type { MathOp } from './parts.ts';

/** What a clause resolved to, as the next clause's context. */
export interface Resolved {
  subjects: string[];
  attribute?: string;
  round?: Round;
  list?: string;
}

export interface Question {
  clause: Clause;
  asked: (form: Form) => boolean;
  /** A comparison, sum, ratio, share or average is asked. */
  math: boolean;
  /** The things named as subjects (the project itself stands back for a more specific one). */
  own: string[];
  /** Fields and bodies named (members of lists). */
  members: string[];
  /** Rounds named as such ("新一轮", "the first round"). */
  rounds: Array<Round | undefined>;
  round: Round | undefined;
  /** The question before, or the conversation's last subject. */
  earlier: Resolved | undefined;
  /** Subjects to look facts up for: the ones named, else the earlier ones. */
  subjects: string[];
  /** Attribute id → how strongly it is asked. */
  scores: Map<string, number>;
  /** So many words nothing explains that the answer would be to a different question. */
  doubtful: boolean;
}

/** Subjects that stand back when something more specific is named. */
export const GENERIC: ReadonlySet<string> = new Set(['project', 'new-round']);
/** In the order they win when a question has several ("占…的比例" is a share, not a ratio). */
export const MATH_FORMS: Array<MathOp & Form> = ['difference', 'share', 'ratio', 'sum', 'average', 'compare'];
/** A cue score this high says on its own what is asked ("fee", "文号", "多少期"). */
export const STRONG_CUE = 2;
/** A detail the sources never give, asked in so many words ("落户", "fee"), outweighs a fact nearby. */
export const UNPUBLISHED_STRONG = 2.5;
const MEMBER_TYPES: ReadonlySet<string> = new Set(['field', 'body']);
/** Lists named and counted ask how many they name. */
const LISTS_COUNTED = 2;
/** A figure the question quotes tells which fact is meant. */
const QUOTED_FIGURE = 2;
/** An occupation named with a sub-project asks whom it is for ("can managers join the advanced courses?"). */
const OCCUPATION_ASKS = 2.5;
/** The weight of one unknown English word (or two unknown characters). */
const ONE_WORD = 1.5;
/** The share of a question's words that may go unexplained before its answer is in doubt. */
const UNEXPLAINED_SHARE = 0.34;

export function readQuestion(
  facts: Facts,
  c: Clause,
  prev: Resolved | undefined,
  context: ConversationSubject | undefined,
): Question {
  const type = (id: string) => facts.entity(id)?.type ?? '';
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
  const rounds = [...new Set(ids.filter((id) => type(id) === 'round').map((id) => facts.entity(id)?.round))];
  // "Which fields is the new round focusing on — the same 12 key fields as before?": a thing of the
  // other round compared with a round brings both rounds in (not "新一轮覆盖了几个现代服务业领域？").
  const compares = c.attributes.has('relation') || c.forms.has('compare') || c.forms.has('difference');
  const otherRound = ids
    .map((id) => facts.entity(id)?.round)
    .find((r) => r && compares && rounds.length === 1 && !rounds.includes(r));
  if (otherRound) rounds.push(otherRound);
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
  let own = ids.filter((id) => SUBJECT_TYPES.has(type(id)));
  // "whats the 4th sub-project again?": the list's fourth member.
  const listed = c.ordinal ? (facts.entity(c.ordinal.of)?.members ?? []) : [];
  const nth = c.ordinal ? listed.at(c.ordinal.n > 0 ? c.ordinal.n - 1 : c.ordinal.n) : undefined;
  if (c.ordinal && nth && c.ordinal.n <= listed.length)
    own = own.map((id) => (id === c.ordinal?.of ? nth : id));
  // "知识更新工程中高级研修项目": the specific thing, not the project around it (unless compared,
  // or both rounds are named).
  if (!math && rounds.length < 2 && own.some((id) => !GENERIC.has(id)))
    own = own.filter((id) => !GENERIC.has(id));
  const members = ids.filter((id) => MEMBER_TYPES.has(type(id)));
  const earlier = prev ?? (context ? { ...context, subjects: context.entities } : undefined);
  // "请问按照方案，每年举办多少期？" after a letter about the advanced seminars: the plan is where
  // the answer is written, the seminars are what is asked about.
  const strong = [...c.attributes].filter(([, score]) => score >= 1).map(([id]) => id);
  if (
    own.length === 1 &&
    type(own[0] as string) === 'document' &&
    earlier?.subjects.length &&
    strong.length &&
    !strong.some((a) => facts.has(own[0] as string, a)) &&
    strong.some((a) => earlier.subjects.some((s) => facts.has(s, a)))
  )
    own = earlier.subjects.filter((id) => !GENERIC.has(id));
  const elliptical = own.length === 0;
  // "ok and the other level?" after a national base: the provincial one (the one other of its kind and family).
  if (elliptical && c.other && earlier?.subjects.length === 1) {
    const was = facts.entity(earlier.subjects[0] as string);
    const kin = was?.family
      ? facts.family(was.family).filter((e) => e.type === was.type && e.id !== was.id)
      : [];
    // …or the others of its list ("and the other two training ones?" after the advanced training).
    const listed = was
      ? facts
          .listsOf(was.id)
          .flatMap((l) => l.members ?? [])
          .filter((id) => id !== was.id)
      : [];
    if (kin.length === 1) own = kin.map((e) => e.id);
    else if (listed.length) own = [...new Set(listed)];
  }
  // "那国家级的是它的几倍？": arithmetic between the thing named and the one talked about.
  if (
    math &&
    own.length === 1 &&
    c.followup &&
    earlier?.subjects.length &&
    !earlier.subjects.includes(own[0] as string)
  )
    own = [...own, ...earlier.subjects.filter((id) => !GENERIC.has(id))];
  // "两者差多少？" after "高研的呢？" → "数字技术工程师的呢？": the two asked in turn.
  if (math && elliptical && !prev && context?.earlier?.length && context.entities.length)
    own = [...new Set([...context.earlier, ...context.entities])];
  if (!round && !rounds.length && (c.sameRound || elliptical)) round = earlier?.round ?? context?.round;

  // Which attributes are asked, and how strongly.
  const scores = new Map(c.attributes);
  const add = (id: string, score: number) => scores.set(id, (scores.get(id) ?? 0) + score);
  // A follow-up that asks nothing of its own ("and the digital one?") asks the last thing again.
  if (
    earlier?.attribute &&
    Math.max(0, ...scores.values()) < 1 &&
    (c.followup || (elliptical && !asked('what')))
  ) {
    // "…and how many were in it?" after when the first batch was named: that batch's size.
    const figure = asked('count') ? facts.attribute(earlier.attribute)?.figure : undefined;
    const again = figure ?? earlier.attribute;
    scores.set(again, Math.max(scores.get(again) ?? 0, STRONG_CUE));
  }
  // An occupation named in "can X join…?" asks whom it is for (not in "does it certify 80,000 engineers?").
  const figures = c.numbers.length > 0 || asked('count');
  // …unless it asks a detail the sources do not give ("像我这样退休的人有没有年龄限制？").
  const unpublishedAsked = [...c.attributes].some(
    ([id, score]) => score >= UNPUBLISHED_STRONG && facts.attribute(id)?.published === false,
  );
  if (
    !unpublishedAsked &&
    ids.some((id) => type(id) === 'occupation') &&
    own.length &&
    !figures &&
    (asked('yesno') || asked('fit') || c.attributes.has('how-to-join'))
  )
    add('audience', OCCUPATION_ASKS);
  // A province or city named asks what happens there: the sources give nothing by place.
  if (ids.some((id) => type(id) === 'place')) add('local', UNPUBLISHED_STRONG);
  // "第一轮的重点领域加上现代服务业领域，一共多少个？"
  const listsOnly =
    own.some((id) => type(id) === 'list') && own.every((id) => type(id) === 'list' || type(id) === 'round');
  if (listsOnly && (asked('count') || asked('sum'))) add('members', LISTS_COUNTED);
  // "新一轮和第一轮在重点领域上有什么不同？": a list named of both rounds is what they are compared on.
  if (rounds.length > 1 && own.some((id) => type(id) === 'list')) add('fields', STRONG_CUE);
  // "是不是一年认证8万个工程师？"
  // A figure of something else than the thing named says nothing, nor one beside a detail the
  // sources do not give ("这8万人都能拿到职称证书吗？") ("新一轮将建设500个国家级基地吗",
  // 500 being a provincial base's minimum).
  for (const ref of unpublishedAsked ? [] : facts.withValue(c.numbers))
    if (!own.length || ref.fact.subject.some((id) => own.includes(id)))
      for (const a of ref.fact.attribute) add(a, QUOTED_FIGURE);

  // A detail nobody could answer from these facts ("…on quantum computing", "…in Beijing"); one
  // stray word beside a clear question ("how many courses is that spread over?") is no doubt.
  const clear =
    (own.length > 0 || members.length > 0 || Boolean(earlier)) &&
    Math.max(0, ...c.attributes.values()) >= STRONG_CUE &&
    c.unexplained <= ONE_WORD;
  const doubtful = c.unexplained > Math.max(1, UNEXPLAINED_SHARE * c.weight) && c.foreign > 0 && !clear;

  return {
    clause: c,
    asked,
    math,
    own,
    members,
    rounds,
    round,
    earlier,
    subjects: own.length ? own : (earlier?.subjects ?? []),
    scores,
    doubtful,
  };
}
