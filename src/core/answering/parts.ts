/** What an answer is made of, before it is written in a language (compose.ts writes it). */
import type { Attribute, Entity, KnowledgeEntry, Round } from '../../knowledge/schema.ts';
import type { ConversationSubject } from '../types.ts';
import type { FactRef } from './facts.ts';

export type Verdict = 'yes' | 'no';

export type MathOp = 'difference' | 'compare' | 'ratio' | 'sum' | 'share' | 'average' | 'per-year' | 'days';

export type Part =
  | { kind: 'facts'; facts: FactRef[] }
  /** A yes/no about a figure ("Does it train 30,000 a year?"). */
  | { kind: 'check'; verdict: Verdict; facts: FactRef[] }
  /** Two or more figures and the arithmetic asked. */
  | {
      kind: 'math';
      op: MathOp;
      facts: FactRef[];
      subjects: Entity[];
      /** How many of each the question counts ("1个国家级基地、3个省级基地"), in the facts' order. */
      times?: number[];
    }
  /** Is X one of a list? `named`: the candidate as an entity, or as the person wrote it. */
  | {
      kind: 'member';
      verdict: Verdict;
      named: Entity | string;
      list: Entity;
      facts: FactRef[];
      /** Asked which one it is ("Which part of the project is that?"), not whether. */
      which?: boolean;
      /** Not on the list asked, but on another ("现代物流": the first round's service industries). */
      elsewhere?: Entity;
    }
  | { kind: 'topic'; entry: KnowledgeEntry }
  /** The sources do not give this detail (for this subject, or for this round). */
  | {
      kind: 'unpublished';
      attributes: Attribute[];
      subject: Entity | undefined;
      round?: Round;
      detail?: string;
      /** What the sources do give that was asked too (the first round's figure, both rounds asked). */
      besides?: FactRef[];
      /** The other round's figure the question took for this one's: said, though the asked detail stays unknown. */
      mistaken?: FactRef[];
    }
  /** Sub-projects that suit a person who described their work (and where their field is listed). */
  | {
      kind: 'persona';
      picks: string[];
      asked: string | undefined;
      facts: FactRef[];
      listed: Array<{ field: Entity; list: Entity }>;
    };

export interface Resolution {
  parts: Part[];
  /** What the conversation is about now (for the next follow-up). */
  subject?: ConversationSubject;
  /** How much of the questions the analysis explained (0..1). */
  confidence: number;
}

/** The same part twice (two clauses that ask one thing) is said once. */
export function dedupe(parts: Part[]): Part[] {
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
