/**
 * Writes an answer from its parts, in the user's language: the facts' own sentences, a yes or no
 * that names the list, the arithmetic shown ("90万 − 8万 = 82万"), what the sources do not give and
 * where to ask, and one Source line naming the pages the facts come from.
 */
import type { Entity, KnowledgeBase, Source } from '../../knowledge/schema.ts';
import type { Lang } from '../types.ts';
import type { FactRef } from './facts.ts';
import { formatNumber, trim, UNITS } from './numbers.ts';
import type { MathOp, Part } from './resolve.ts';
import { answerText as T } from './text.ts';

export interface Composed {
  text: string;
  /** Topic ids the facts come from (meta.sources). */
  topics: string[];
  /** Every part is "not published": the turn is a fallback. */
  unanswered: boolean;
}

export function createComposer(kb: KnowledgeBase) {
  const sources = kb.sources as Record<string, Source>;

  function compose(all: Part[], lang: Lang): Composed {
    // A whole topic beside other answers makes a reply too long for a phone: the answers stay.
    const long = all.filter((p) => p.kind === 'topic').length > 0 && all.length > 1;
    const parts = long ? all.filter((p) => p.kind !== 'topic') : all;
    const lines: string[] = [];
    const used: FactRef[] = [];
    const topics: string[] = [];
    const said = new Set<string>();
    const say = (refs: FactRef[]) => {
      for (const r of refs) {
        used.push(r);
        if (!topics.includes(r.entry.id)) topics.push(r.entry.id);
        const t = r.fact.text[lang];
        if (!said.has(t)) {
          said.add(t);
          lines.push(t);
        }
      }
    };
    let unanswered = true;
    for (const p of parts) {
      if (p.kind !== 'unpublished') unanswered = false;
      switch (p.kind) {
        case 'facts':
          say(p.facts);
          break;
        case 'check':
          lines.push(T[p.verdict][lang]);
          say(p.facts);
          break;
        case 'member':
          lines.push(memberLine(p, lang));
          say(p.facts);
          if (p.verdict === 'no' && p.list.complete === false) lines.push(T.listOpen[lang]);
          break;
        case 'math':
          say(p.facts);
          lines.push(mathLine(p.op, p.facts, p.subjects, lang, p.times));
          break;
        case 'topic':
          lines.push(p.entry.answer[lang]);
          if (!topics.includes(p.entry.id)) topics.push(p.entry.id);
          for (const s of p.entry.sources)
            used.push({ fact: { sources: [s] } as FactRef['fact'], entry: p.entry });
          break;
        case 'persona':
          lines.push(personaLine(p.picks, p.asked, lang));
          for (const { field, list } of p.listed)
            lines.push(fill(T.isMember[lang], { x: field.name[lang], list: list.name[lang] }));
          say(p.facts);
          lines.push(T.noPromise[lang]);
          break;
        case 'unpublished':
          if (p.besides?.length) {
            unanswered = false;
            say(p.besides);
          }
          if (p.mistaken?.length) say(p.mistaken);
          lines.push(unpublishedLine(p, lang));
          break;
      }
    }
    const names = [...new Set(used.flatMap((r) => r.fact.sources))]
      .map((s) => sources[s]?.[lang])
      .filter((s): s is string => Boolean(s));
    const body = lines.join(lang === 'zh' ? '' : ' ').replace(/。 /g, '。');
    const text = names.length
      ? `${body}\n\n${T.source[lang]}${names.join(lang === 'zh' ? '；' : '; ')}`
      : body;
    return { text, topics, unanswered: unanswered && parts.length > 0 };
  }

  function name(e: Entity | string, lang: Lang): string {
    return typeof e === 'string' ? `“${e.slice(0, 30)}”` : e.name[lang];
  }

  function memberLine(p: Extract<Part, { kind: 'member' }>, lang: Lang): string {
    const text = p.verdict === 'yes' ? (p.which ? T.isWhich : T.isMember)[lang] : T.notMember[lang];
    const x = name(p.named, lang);
    const line = fill(text, { x, list: p.list.name[lang] });
    if (!p.elsewhere) return line;
    return `${line}${lang === 'zh' ? '' : ' '}${fill(T.memberElsewhere[lang], { x: x.charAt(0).toUpperCase() + x.slice(1), list: p.elsewhere.name[lang] })}`;
  }

  function personaLine(picks: string[], asked: string | undefined, lang: Lang): string {
    const names = picks.map((id) => kb.entities.find((e) => e.id === id)?.name[lang] ?? id);
    const list = names.join(lang === 'zh' ? '、' : ', ');
    if (!asked) return fill(T.personaPicks[lang], { list });
    const x = kb.entities.find((e) => e.id === asked)?.name[lang] ?? asked;
    return fill(picks.includes(asked) ? T.personaYes[lang] : T.personaOther[lang], { x, list });
  }

  function unpublishedLine(p: Extract<Part, { kind: 'unpublished' }>, lang: Lang): string {
    const promise = p.attributes.find((a) => a.say);
    const others = p.attributes.filter((a) => !a.say);
    const lines = promise ? [promise.say?.[lang] ?? ''] : [];
    if (others.length || !promise) {
      const names = others.map((a) => a.name[lang]);
      const what = p.detail
        ? `“${p.detail.slice(0, 30)}”`
        : names.length
          ? names.join(lang === 'zh' ? '、' : ' or ')
          : T.thatDetail[lang];
      const subject = p.subject && p.subject.id !== 'project' ? p.subject.name[lang] : '';
      const template = p.detail
        ? T.notAbout
        : p.round === 'new'
          ? T.notForNewRound
          : subject
            ? T.notGivenFor
            : T.notGiven;
      const ask = others[0]?.ask?.[lang] ?? T.defaultAsk[lang];
      lines.push(fill(template[lang], { what, subject, ask }).replace(/（）| \(\)/g, ''));
    }
    return lines.join(lang === 'zh' ? '' : ' ');
  }

  function mathLine(op: MathOp, refs: FactRef[], subjects: Entity[], lang: Lang, times?: number[]): string {
    if (op === 'days') {
      const [from, to] = refs.map((r) => String(r.fact.value)).sort();
      const days = Math.round((Date.parse(to ?? '') - Date.parse(from ?? '')) / 86_400_000);
      return fill(T.days[lang], {
        a: formatDate(from ?? '', lang),
        b: formatDate(to ?? '', lang),
        result: String(days),
      });
    }
    const items = refs.map((r) => ({
      value: r.fact.value as number,
      name: subjectName(r, subjects, lang, refs),
      unit: UNITS[r.fact.unit ?? '']?.[lang] ?? '',
    }));
    const f = (n: number) => formatNumber(n, lang);
    const unit = items[0]?.unit ?? '';
    if (op === 'per-year') {
      // A round's total over its years ("2011-2020": 10 years).
      const [from, to] = String(refs[1]?.fact.value ?? '')
        .split('-')
        .map(Number);
      const years = (to ?? 0) - (from ?? 0) + 1;
      const total = items[0]?.value ?? 0;
      return fill(T.perYear[lang], {
        expr: `${f(total)} ÷ ${years}`,
        result: f(total / years),
        unit,
        years: String(years),
      });
    }
    if (op === 'sum') {
      const n = (i: number) => times?.[i] ?? 1;
      const total = items.reduce((s, item, i) => s + n(i) * item.value, 0);
      const expr = items.map((item, i) => (times ? `${n(i)} × ${f(item.value)}` : f(item.value))).join(' + ');
      return fill(T.sum[lang], { expr, total: f(total), unit });
    }
    if (op === 'average' && refs[1]?.fact.unit === 'course') {
      const [people, courses] = items as [(typeof items)[0], (typeof items)[0]];
      return fill(T.perCourse[lang], {
        expr: `${f(people.value)} ÷ ${courses.value}`,
        result: String(Math.round(people.value / courses.value)),
      });
    }
    if (op === 'average') {
      const mean = items.reduce((s, i) => s + i.value, 0) / items.length;
      return fill(T.average[lang], {
        expr: `(${items.map((i) => f(i.value)).join(' + ')}) ÷ ${items.length}`,
        result: f(mean),
        unit,
      });
    }
    const [a, b] = [...items].sort((x, y) => y.value - x.value) as [(typeof items)[0], (typeof items)[0]];
    if (op === 'ratio')
      return fill(T.ratio[lang], {
        a: a.name,
        b: b.name,
        expr: `${f(a.value)} ÷ ${f(b.value)}`,
        result: trim(a.value / b.value),
      });
    if (op === 'share')
      return fill(T.share[lang], {
        a: b.name,
        b: a.name,
        expr: `${f(b.value)} ÷ ${f(a.value)}`,
        result: `${trim((100 * b.value) / a.value)}%`,
      });
    return fill(T.difference[lang], {
      a: a.name,
      b: b.name,
      expr: `${f(a.value)} − ${f(b.value)}`,
      result: f(a.value - b.value),
      unit,
    });
  }

  /**
   * The name of what a figure is: the asked subject it belongs to, or, where both figures are of
   * one subject ("bases built" and "the first batch"), what the figure counts.
   */
  function subjectName(ref: FactRef, subjects: Entity[], lang: Lang, refs: FactRef[] = []): string {
    const shared = refs.length > 1 && refs.every((r) => r.fact.subject[0] === refs[0]?.fact.subject[0]);
    if (shared) return kb.attributes.find((a) => a.id === ref.fact.attribute[0])?.name[lang] ?? '';
    const e =
      subjects.find((s) => ref.fact.subject.includes(s.id)) ??
      kb.entities.find((x) => x.id === ref.fact.subject[0]);
    return e?.name[lang] ?? '';
  }

  return { compose };
}

export type Composer = ReturnType<typeof createComposer>;

export const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

/** "2021-09-15" as 2021年9月15日, or 15 September 2021. */
function formatDate(iso: string, lang: Lang): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return lang === 'zh' ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1]} ${y}`;
}
