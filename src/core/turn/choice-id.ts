/**
 * Button ids, made and read in one place. Adapters carry them opaquely (a Telegram callback's data,
 * a web button's id), so they stay short, ASCII and colon-separated:
 *
 *   topic:<topic id>                         answer a topic
 *   lang:zh | lang:en                        switch language
 *   start:register[:<sub-project>[:<title>[:<field>]]] | start:triage   start a flow (with answers given)
 *   d:<step>:<value>[:<extra>]               a dialog step's option ("d:review:edit:phone")
 *   handoff:open                             talk to a person
 *   help                                     the help text
 */
import type { Lang } from '../types.ts';

export type ChoiceId =
  | { kind: 'topic'; topic: string }
  | { kind: 'lang'; lang: Lang }
  | {
      kind: 'start';
      flow: 'register' | 'triage';
      preset: { subproject?: string; title?: string; field?: string };
    }
  | { kind: 'dialog'; step: string; value: string; extra?: string }
  | { kind: 'handoff' }
  | { kind: 'help' }
  | { kind: 'unknown' };

export function parseChoice(id: string): ChoiceId {
  const [kind = '', a = '', b, c, d] = id.trim().split(':');
  switch (kind) {
    case 'topic':
      return a ? { kind: 'topic', topic: a } : { kind: 'unknown' };
    case 'lang':
      return a === 'zh' || a === 'en' ? { kind: 'lang', lang: a } : { kind: 'unknown' };
    case 'start':
      if (a !== 'register' && a !== 'triage') return { kind: 'unknown' };
      return {
        kind: 'start',
        flow: a,
        preset: { ...(b ? { subproject: b } : {}), ...(c ? { title: c } : {}), ...(d ? { field: d } : {}) },
      };
    case 'd':
      return a && b !== undefined
        ? { kind: 'dialog', step: a, value: b, ...(c ? { extra: c } : {}) }
        : { kind: 'unknown' };
    case 'handoff':
      return a === 'open' ? { kind: 'handoff' } : { kind: 'unknown' };
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'unknown' };
  }
}

export const choiceId = {
  topic: (topic: string) => `topic:${topic}`,
  lang: (lang: Lang) => `lang:${lang}`,
  start: (flow: 'register' | 'triage', answers: Array<string | null | undefined> = []) =>
    ['start', flow, ...answers.map((v) => v ?? '')].join(':').replace(/:+$/, ''),
  dialog: (step: string, value: string, extra?: string) => `d:${step}:${value}${extra ? `:${extra}` : ''}`,
  handoff: 'handoff:open',
  help: 'help',
};
