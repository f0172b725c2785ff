/** Building turns: the reply texts and buttons every step shares. */
import type { KnowledgeEntry } from '../../knowledge/schema.ts';
import { messages } from '../messages.ts';
import type { Choice, Lang, Reply, Turn, TurnKind } from '../types.ts';
import { choiceId } from './choice-id.ts';

export function makeTurn(
  kind: TurnKind,
  lang: Lang,
  replies: Reply[],
  extra: { sources?: string[]; confidence?: number } = {},
): Turn {
  return { replies, meta: { kind, sources: extra.sources ?? [], confidence: extra.confidence ?? 1, lang } };
}

/** Topic buttons and the greeting, from the knowledge base's topics. */
export function createRender(entries: KnowledgeEntry[], mainTopicIds: string[]) {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const mainTopics = mainTopicIds.filter((id) => byId.has(id));

  const topicChoices = (ids: string[], lang: Lang): Choice[] =>
    ids.flatMap((id) => {
      const entry = byId.get(id);
      return entry ? [{ id: choiceId.topic(entry.id), label: entry.title[lang] }] : [];
    });

  return {
    byId,
    mainTopics,
    topicChoices,
    welcome: (lang: Lang, text = messages.welcome[lang]): Turn =>
      makeTurn('command', lang, [{ text, choices: topicChoices(mainTopics, lang) }]),
    text: (kind: TurnKind, lang: Lang, text: string): Turn => makeTurn(kind, lang, [{ text }]),
  };
}

export type Render = ReturnType<typeof createRender>;
