import { z } from 'zod';

/** A text in both languages. */
const bilingual = z.object({ zh: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const bilingualList = z
  .object({ zh: z.array(z.string().trim().min(1)).min(1), en: z.array(z.string().trim().min(1)).min(1) })
  .strict();
/** YAML reads 2030 as a number: every phrase is text. */
const phrase = z.union([z.string(), z.number()]).transform(String);
const phrases = z.array(phrase);
const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by dashes');
/** One id or several. */
const ids = z.union([id, z.array(id).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const ROUNDS = ['first', 'new'] as const;
export type Round = (typeof ROUNDS)[number];

/** A fact as data: what it is about, what it says, in both languages, and where it comes from. */
export const fact = z
  .object({
    /** The entities it is about (a fact about the plan is also about the new round). */
    subject: ids,
    /** What it tells of them: an id of knowledge/_attributes.yaml (or several it answers). */
    attribute: ids,
    /** A figure (number), or a date or text (string). */
    value: z.union([z.number(), z.string()]).optional(),
    unit: z.enum(['person', 'person-time', 'course', 'base', 'field', 'year']).optional(),
    /** The source says "about" (约). */
    approx: z.boolean().default(false),
    /** Which round of the project it belongs to (none: true of both, like the plan's name). */
    round: z.enum(ROUNDS).optional(),
    /** The list entities it names (membership questions are answered from them). */
    list: ids.optional(),
    /** Ids of knowledge/_sources.yaml; `inferred` marks guidance no source confirms. */
    sources: z.array(id).min(1, 'a fact needs at least one source'),
    text: bilingual,
  })
  .strict();
export type Fact = z.infer<typeof fact>;

export const entryFrontMatter = z
  .object({
    id,
    /** The entity this topic is about (the subject a follow-up question refers back to). */
    about: id,
    title: bilingual,
    questions: bilingualList,
    keywords: z.array(phrase).default([]),
    related: z.array(z.string()).default([]),
    sources: z.array(id).min(1, 'a topic needs at least one source'),
    facts: z.array(fact).default([]),
  })
  .strict();

export const knowledgeEntry = entryFrontMatter.extend({ answer: bilingual });
export type KnowledgeEntry = z.infer<typeof knowledgeEntry>;

/**
 * An entry staff taught in Slack, exported to `knowledge/taught/` (`npm run knowledge:export`) to
 * ship with a release. It keeps its id; a newer version taught later wins over the file.
 */
export const taughtFrontMatter = z
  .object({
    id: z.string().regex(/^KB-[0-9A-Z]{4,12}$/, 'an id like KB-7K2M9Q'),
    version: z.number().int().positive(),
    questions: z.array(phrase).min(1),
    source: z.string().trim().min(1),
    /** The last day it is used. */
    expires: z
      .union([z.string(), z.date()])
      .transform((d) => (typeof d === 'string' ? d : d.toISOString().slice(0, 10)))
      .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2027-06-30'))
      .optional(),
    author: z.string().trim().min(1),
    /** When this version was written (ISO 8601). */
    updated: z.union([z.string(), z.date()]).transform((d) => (typeof d === 'string' ? d : d.toISOString())),
  })
  .strict();
export const shippedTaught = taughtFrontMatter.extend({ answer: bilingual });
export type ShippedTaught = z.infer<typeof shippedTaught>;

export const lexicon = z
  .object({
    synonyms: z.array(z.array(phrase).min(2)),
    stopwords: z.object({ en: z.array(z.string()), zh: z.array(z.string()) }).strict(),
    /** Never stopwords, even in the standard lists: they change what is asked ("where"). */
    keep: z.array(z.string()).default([]),
  })
  .strict();
export type Lexicon = z.infer<typeof lexicon>;

export const source = z.object({ zh: z.string(), en: z.string(), url: z.string() }).strict();
export const sources = z.object({ sources: z.record(id, source) }).strict();
export type Source = z.infer<typeof source>;

export const ENTITY_TYPES = [
  'project',
  'round',
  'document',
  'list',
  'subproject',
  'base-level',
  'field',
  'body',
  'occupation',
  'place',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const entity = z
  .object({
    id,
    type: z.enum(ENTITY_TYPES),
    name: bilingual,
    aliases: phrases.min(1),
    /** Aliases that count only while the conversation is about the same `family`. */
    weak: phrases.default([]),
    family: id.optional(),
    /** The topic that answers "what is it?". */
    topic: id.optional(),
    round: z.enum(ROUNDS).optional(),
    /** Lists: the entities named, and whether the source's list is complete (no 等 / "and other"). */
    members: z.array(id).optional(),
    complete: z.boolean().optional(),
    /** What the same words mean when the first round is asked about ("重点领域" of the first round). */
    firstRound: id.optional(),
    /** Occupations: what they say of a person, as the triage dialog's answers. */
    role: z.enum(['professional', 'manager', 'digital', 'other']).optional(),
    title: z.enum(['junior', 'intermediate', 'associate-senior', 'senior']).optional(),
    /** Fields: the registration's field option it falls under. */
    field: z.string().optional(),
  })
  .strict();
export type Entity = z.infer<typeof entity>;
export const entities = z.object({ entities: z.array(entity) }).strict();

const cueGroup = z.union([
  phrases.transform((list) => ({ weight: 1, phrases: list })),
  z.object({ weight: z.number().positive(), phrases }).strict(),
]);
export const ATTRIBUTE_TYPES = ['number', 'list', 'date', 'period', 'bodies', 'text'] as const;
export const attribute = z
  .object({
    id,
    type: z.enum(ATTRIBUTE_TYPES),
    name: bilingual,
    /** False: the sources never give this detail (fees, venues…): say so, and where to ask. */
    published: z.boolean().default(true),
    ask: bilingual.optional(),
    /** What to say instead of "the sources do not give …" (admission: never promised). */
    say: bilingual.optional(),
    near: z.array(id).default([]),
    /** The figure of the same event ("when was the first batch named?" → "how many were in it?"). */
    figure: id.optional(),
    /** True of the whole project: a thing without a fact of its own takes the project's ("how to take part"). */
    general: z.boolean().default(false),
    /** A total over a round: an average of it is per year of the round. */
    total: z.boolean().default(false),
    /** Asks what a thing is about: where it has no fact of its own, its topic answers. */
    describes: z.boolean().default(false),
    cues: z.array(cueGroup).min(1),
  })
  .strict();
export type Attribute = z.infer<typeof attribute>;
export const attributes = z.object({ attributes: z.array(attribute) }).strict();

export const FORMS = [
  'count',
  'list',
  'when',
  'who',
  'yesno',
  'why',
  'how',
  'what',
  'compare',
  'difference',
  'sum',
  'ratio',
  'share',
  'average',
  'fit',
] as const;
export type Form = (typeof FORMS)[number];
export const language = z
  .object({
    forms: z
      .object(Object.fromEntries(FORMS.map((f) => [f, phrases])) as Record<Form, typeof phrases>)
      .strict(),
    followup: phrases,
    sameround: phrases,
    other: phrases,
    self: phrases,
    ask: phrases,
    instruction: phrases,
    joiners: phrases,
    conditional: phrases,
  })
  .strict();
export type Language = z.infer<typeof language>;

export const intent = z
  .object({ closed: z.boolean().default(false), zh: phrases.min(1), en: phrases.min(1) })
  .strict();
export const INTENTS = [
  'register',
  'triage',
  'human',
  'back-to-bot',
  'cancel',
  'back',
  'help',
  'skip',
  'greeting',
  'thanks',
  'lang-en',
  'lang-zh',
  'question',
  'other',
] as const;
export type IntentId = (typeof INTENTS)[number];
export const intents = z
  .object({
    intents: z
      .object(Object.fromEntries(INTENTS.map((i) => [i, intent])) as Record<IntentId, typeof intent>)
      .strict(),
  })
  .strict();
export type Intents = z.infer<typeof intents>['intents'];

export interface KnowledgeBase {
  entries: KnowledgeEntry[];
  lexicon: Lexicon;
  sources: Record<string, Source>;
  entities: Entity[];
  attributes: Attribute[];
  language: Language;
  intents: Intents;
  /** Entries staff taught that ship in `knowledge/taught/`. */
  taught?: ShippedTaught[];
  /** Pinyin (toneless, no spaces) of the Chinese phrases above, made at build time: "gaojiyanxiu" → 高级研修. */
  pinyin: Record<string, string>;
  /** The pinyin of each character the knowledge base uses (a homophone typed for it is read as it). */
  charPinyin: Record<string, string>;
}
