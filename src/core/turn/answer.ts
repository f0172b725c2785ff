/**
 * The "answer" step: what was understood, written as a turn. An answer composed from facts (kind
 * `answer`, with the topics it came from as sources); a detail the sources do not give, said
 * plainly with the topic offered (kind `fallback`); or, when nothing was understood, "not sure"
 * with the closest topics.
 */
import type { KnowledgeBase, KnowledgeEntry } from '../../knowledge/schema.ts';
import { createComposer } from '../answering/compose.ts';
import type { DialogTurn } from '../dialog/engine.ts';
import { messages } from '../messages.ts';
import type { Retriever } from '../retriever.ts';
import type { TaughtIndex } from '../taught-index.ts';
import type { Choice, Lang, Turn } from '../types.ts';
import { SEARCHED, type Understood } from '../understanding/understand.ts';
import { choiceId } from './choice-id.ts';
import { makeTurn, type Render } from './render.ts';

/** Buttons that follow an answer about taking part: act on it. */
const ACTIONS: Record<string, Array<'register' | 'triage'>> = {
  'how-to-take-part': ['register', 'triage'],
  eligibility: ['triage', 'register'],
};
const ACTION_LABELS = {
  register: { zh: '意向预登记', en: 'Pre-register my interest' },
  triage: { zh: '帮我选项目', en: 'Which sub-project suits me?' },
};

export function createAnswerStep(deps: {
  knowledge: KnowledgeBase;
  render: Render;
  retriever: Retriever;
  threshold: number;
  /** Registration and triage buttons are offered only where the dialogs run. */
  dialogs: boolean;
  /** What staff taught (read at each question: it changes while the server runs). */
  taught?: () => TaughtIndex | undefined;
}) {
  const { render } = deps;
  const composer = createComposer(deps.knowledge);

  function choicesAfter(topic: KnowledgeEntry | undefined, lang: Lang): Choice[] {
    if (!topic) return [];
    const actions: Choice[] = deps.dialogs
      ? (ACTIONS[topic.id] ?? []).map((a) => ({ id: choiceId.start(a), label: ACTION_LABELS[a][lang] }))
      : [];
    return [...actions, ...render.topicChoices(topic.related, lang)].slice(0, 4);
  }

  /** A topic's whole answer (a topic button, "what is X?"). */
  function topic(entry: KnowledgeEntry, lang: Lang): Turn {
    const { text } = composer.compose([{ kind: 'topic', entry }], lang);
    const choices = choicesAfter(entry, lang);
    return makeTurn('answer', lang, [{ text, ...(choices.length ? { choices } : {}) }], {
      sources: [entry.id],
      confidence: 1,
    });
  }

  /** The closest shipped topic to a question. */
  const closest = (text: string) => (text ? deps.retriever.search(text.slice(0, SEARCHED), 1)[0] : undefined);

  /** "Not sure": the closest topic first (when it is close), then the main topics. */
  function notSure(lang: Lang, text: string, offer: string[] = [], best = closest(text)): Turn {
    const ids = [
      ...new Set([
        ...offer,
        ...(best && best.confidence >= deps.threshold / 2 ? [best.entry.id] : []),
        ...render.mainTopics,
      ]),
    ];
    return makeTurn(
      'fallback',
      lang,
      [{ text: messages.fallback[lang], choices: render.topicChoices(ids, lang).slice(0, 4) }],
      { confidence: best?.confidence ?? 0 },
    );
  }

  /**
   * Where the shipped facts have no answer, an entry staff taught may: only when it fits the
   * question at least as well as the closest shipped topic does, and as well as a topic must to be
   * answered at all.
   */
  function taughtAnswer(
    text: string,
    lang: Lang,
    shipped: ReturnType<typeof closest>,
  ): DialogTurn | undefined {
    const hit = text ? deps.taught?.()?.search(text.slice(0, SEARCHED)) : undefined;
    if (!hit || hit.confidence < deps.threshold) return undefined;
    if (shipped && shipped.confidence > hit.confidence) return undefined;
    const { entry } = hit;
    return {
      ...makeTurn(
        'answer',
        lang,
        [{ text: `${entry.answer[lang]}\n\n${messages.sourceLabel[lang]}${entry.source}` }],
        { sources: [`kb:${entry.id}`], confidence: hit.confidence },
      ),
      author: `${entry.author} ${entry.id} v${entry.version}`,
    };
  }

  /** The answer to what was understood (or a fallback that says what is not known). */
  function answer(understood: Understood, text: string, lang: Lang): DialogTurn {
    const { parts, confidence, subject } = understood.resolution;
    if (!parts.length) {
      const shipped = closest(text);
      return taughtAnswer(text, lang, shipped) ?? notSure(lang, text, [], shipped);
    }
    const composed = composer.compose(parts, lang);
    const first = render.byId.get(composed.topics[0] ?? '');
    if (composed.unanswered) {
      const taught = deps.taught?.() ? taughtAnswer(text, lang, closest(text)) : undefined;
      if (taught) return taught;
      // Said exactly what is not published; the topic it is about is offered to read.
      const topics = (subject?.entities ?? [])
        .map((id) => deps.knowledge.entities.find((e) => e.id === id)?.topic)
        .filter((t): t is string => Boolean(t));
      const ids = [...new Set([...topics, ...render.mainTopics])];
      return makeTurn(
        'fallback',
        lang,
        [{ text: composed.text, choices: render.topicChoices(ids, lang).slice(0, 4) }],
        { confidence },
      );
    }
    const choices = choicesAfter(first, lang);
    return makeTurn('answer', lang, [{ text: composed.text, ...(choices.length ? { choices } : {}) }], {
      sources: composed.topics,
      confidence,
    });
  }

  return { answer, topic, notSure };
}

export type AnswerStep = ReturnType<typeof createAnswerStep>;
