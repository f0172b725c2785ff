/** The knowledge base's typed facts, looked up by subject and attribute. */
import type {
  Attribute,
  Entity,
  Fact,
  KnowledgeBase,
  KnowledgeEntry,
  Round,
} from '../../knowledge/schema.ts';

/** A fact with the topic file it comes from (its sources, related topics and id in meta.sources). */
export interface FactRef {
  fact: Fact;
  entry: KnowledgeEntry;
}

export interface Lookup {
  /** Facts of the round asked (or of no round). */
  facts: FactRef[];
  /** Facts that exist only for the other round: never given as this round's. */
  otherRound: FactRef[];
}

export function createFacts(kb: KnowledgeBase) {
  const all: FactRef[] = kb.entries.flatMap((entry) => entry.facts.map((fact) => ({ fact, entry })));
  const bySubject = new Map<string, Map<string, FactRef[]>>();
  for (const ref of all) {
    for (const s of ref.fact.subject) {
      const attrs = bySubject.get(s) ?? new Map<string, FactRef[]>();
      for (const a of ref.fact.attribute) attrs.set(a, [...(attrs.get(a) ?? []), ref]);
      bySubject.set(s, attrs);
    }
  }
  const entities = new Map(kb.entities.map((e) => [e.id, e]));
  // Lookups the answering path makes for every question, made once.
  const group = <K, V>(pairs: Array<[K, V]>) => {
    const map = new Map<K, V[]>();
    for (const [k, v] of pairs) map.set(k, [...(map.get(k) ?? []), v]);
    return map;
  };
  const byValue = group(
    all.flatMap(
      (r): Array<[number, FactRef]> =>
        typeof r.fact.value === 'number' && r.fact.round !== 'first' ? [[r.fact.value, r]] : [],
    ),
  );
  const byAttribute = group(all.flatMap((r) => r.fact.attribute.map((a): [string, FactRef] => [a, r])));
  const listOwners = new Map(
    [
      ...group(
        all.flatMap((r) =>
          (r.fact.list ?? []).flatMap((l) =>
            r.fact.subject
              .filter((s) => entities.get(s)?.type === 'subproject' || entities.get(s)?.type === 'round')
              .map((s): [string, string] => [l, s]),
          ),
        ),
      ),
    ].map(([l, owners]) => [l, [...new Set(owners)]]),
  );
  const listsOfMember = group(
    kb.entities.flatMap((e) => (e.members ?? []).map((m): [string, typeof e] => [m, e])),
  );
  const attributes = new Map(kb.attributes.map((a) => [a.id, a]));
  const topics = new Map(kb.entries.map((e) => [e.id, e]));

  /**
   * The facts of these subjects for an attribute. Asked about a round, facts of the other round
   * are set apart; asked about none, the new round's come first and the first round's are given
   * only where the new round has none (their text names the first round).
   */
  function lookup(subjects: string[], attribute: string, round: Round | undefined): Lookup {
    const facts: FactRef[] = [];
    const otherRound: FactRef[] = [];
    for (const s of subjects) {
      for (const ref of bySubject.get(s)?.get(attribute) ?? []) {
        if (facts.includes(ref) || otherRound.includes(ref)) continue;
        const r = ref.fact.round;
        if (!r || !round || r === round) facts.push(ref);
        else otherRound.push(ref);
      }
    }
    if (!round && facts.some((f) => f.fact.round !== 'first')) {
      // No round asked: where the new round has a fact, the first round's are not an answer.
      const current = facts.filter((f) => f.fact.round !== 'first');
      return { facts: current, otherRound: [...otherRound, ...facts.filter((f) => !current.includes(f))] };
    }
    return { facts, otherRound };
  }

  return {
    lookup,
    /** Facts whose figure is one of these ("the 900k programme"). */
    withValue: (values: number[]): FactRef[] => values.flatMap((v) => byValue.get(v) ?? []),
    /** Facts whose figure is one of these, quoted rounded ("12.6 million" for 12.643 million). */
    withValueNear: (values: number[]): FactRef[] =>
      all.filter((r) => {
        const v = r.fact.value;
        return typeof v === 'number' && values.some((q) => Math.abs(q - v) <= Math.abs(v) * 0.01);
      }),
    /** The subjects whose facts answer an attribute, when they all share one fact's subjects. */
    ownersOf(attribute: string, round: Round | undefined): string[] {
      const refs = (byAttribute.get(attribute) ?? []).filter(
        (r) => !round || !r.fact.round || r.fact.round === round,
      );
      return refs.length === 1 ? [refs[0]?.fact.subject[0] as string] : [];
    },
    /** The things whose facts name a list (the digital technology engineer project for its fields). */
    ownersOfList: (list: string): string[] => listOwners.get(list) ?? [],
    has: (subject: string, attribute: string) => Boolean(bySubject.get(subject)?.get(attribute)?.length),
    entity: (id: string): Entity | undefined => entities.get(id),
    /** The facts of these subjects whose text names one of these things ("各省" in who selects bases). */
    mentioning(subjects: string[], named: string[]): FactRef[] {
      const names = named
        .flatMap((id) => entities.get(id)?.aliases ?? [])
        .filter((a) => a.length >= 2)
        .map((a) => a.toLowerCase());
      const refs = new Set(subjects.flatMap((s) => [...(bySubject.get(s)?.values() ?? [])].flat()));
      return [...refs].filter((r) => {
        const text = `${r.fact.text.zh} ${r.fact.text.en.toLowerCase()}`;
        return names.some((n) => text.includes(n));
      });
    },
    /** The entities of a family (the bases and their two levels). */
    family: (family: string): Entity[] => kb.entities.filter((e) => e.family === family),
    attribute: (id: string): Attribute | undefined => attributes.get(id),
    topic: (id: string): KnowledgeEntry | undefined => topics.get(id),
    /** The lists that name this entity. */
    listsOf: (member: string): Entity[] => listsOfMember.get(member) ?? [],
  };
}

export type Facts = ReturnType<typeof createFacts>;
