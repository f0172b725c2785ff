// Reads knowledge/ from disk (Node only: used by the build step and by tests, never at runtime).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pinyin } from 'pinyin-pro';
import { parse as parseYaml } from 'yaml';
import { type ZodType, z } from 'zod';
import {
  attributes as attributesSchema,
  entities as entitiesSchema,
  entryFrontMatter,
  intents as intentsSchema,
  type KnowledgeBase,
  type KnowledgeEntry,
  type Lexicon,
  language as languageSchema,
  lexicon,
  type ShippedTaught,
  sources as sourcesSchema,
  taughtFrontMatter,
} from './schema.ts';

export class KnowledgeFileError extends Error {
  override name = 'KnowledgeFileError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

const HEADINGS: Record<string, 'zh' | 'en'> = { 中文: 'zh', zh: 'zh', english: 'en', en: 'en' };
/** Words that mark a sentence as guidance rather than official fact. */
const GUIDANCE = /usually|as a rule|general guidance|would usually|通常|一般|建议/i;

function describe(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** YAML front matter checked by `schema`, then the answer under `## 中文` and `## English`. */
function parseDocument<T>(
  file: string,
  text: string,
  schema: ZodType<T>,
): { front: T; answer: { zh: string; en: string } } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
  if (!match) throw new KnowledgeFileError(file, 'expected YAML front matter between two "---" lines');
  let front: unknown;
  try {
    front = parseYaml(match[1] ?? '');
  } catch (error) {
    throw new KnowledgeFileError(file, `front matter is not valid YAML: ${describe(error)}`);
  }
  const parsed = schema.safeParse(front);
  if (!parsed.success) throw new KnowledgeFileError(file, describe(parsed.error));

  const answer: Partial<Record<'zh' | 'en', string>> = {};
  const sections = (match[2] ?? '').split(/^## +/m).slice(1);
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const heading = (newline < 0 ? section : section.slice(0, newline)).trim();
    const lang = HEADINGS[heading.toLowerCase()];
    if (!lang)
      throw new KnowledgeFileError(file, `unknown section "## ${heading}" (use "## 中文" or "## English")`);
    if (answer[lang]) throw new KnowledgeFileError(file, `section "## ${heading}" appears twice`);
    answer[lang] = newline < 0 ? '' : section.slice(newline + 1).trim();
  }
  for (const lang of ['zh', 'en'] as const) {
    if (!answer[lang]) {
      throw new KnowledgeFileError(
        file,
        `missing the ${lang === 'zh' ? '"## 中文"' : '"## English"'} answer`,
      );
    }
  }
  return { front: parsed.data, answer: { zh: answer.zh ?? '', en: answer.en ?? '' } };
}

/** Parses one topic file: YAML front matter, then `## 中文` and `## English` sections. */
export function parseEntry(file: string, text: string): KnowledgeEntry {
  const { front, answer } = parseDocument(file, text, entryFrontMatter);
  return { ...front, answer };
}

/** The entries of a `taught/` folder (none when there is no folder). */
export function readTaughtFolder(dir: string): ShippedTaught[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => parseTaught(`taught/${f}`, readFileSync(join(dir, f), 'utf8')));
}

/** Parses one file of `taught/` (written by `npm run knowledge:export`). */
export function parseTaught(file: string, text: string): ShippedTaught {
  const { front, answer } = parseDocument(file, text, taughtFrontMatter);
  if (file.replace(/^.*\//, '') !== `${front.id}.md`)
    throw new KnowledgeFileError(file, `the file of ${front.id} is named ${front.id}.md`);
  return { ...front, answer };
}

function parseYamlFile<T>(file: string, text: string, schema: ZodType<T>): T {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new KnowledgeFileError(file, `not valid YAML: ${describe(error)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new KnowledgeFileError(file, describe(parsed.error));
  return parsed.data;
}

export const parseLexicon = (file: string, text: string) => parseYamlFile(file, text, lexicon);

/** Loads and cross-checks a knowledge folder; every error names its file. */
export function loadKnowledge(dir: string): KnowledgeBase {
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && !f.startsWith('_') && f !== 'README.md')
    .sort();
  const entries = files.map((f) => parseEntry(f, read(f)));
  // What staff taught and a release shipped (one file per entry, named by its id).
  const taught = readTaughtFolder(join(dir, 'taught'));
  const byId = new Map<string, string>();
  entries.forEach((entry, i) => {
    const file = files[i] ?? '';
    const other = byId.get(entry.id);
    if (other) throw new KnowledgeFileError(file, `id "${entry.id}" is already used by ${other}`);
    byId.set(entry.id, file);
  });
  entries.forEach((entry, i) => {
    for (const id of entry.related) {
      if (!byId.has(id)) throw new KnowledgeFileError(files[i] ?? '', `related id "${id}" does not exist`);
    }
  });
  const lexiconFile = '_lexicon.yaml';
  const lex = parseLexicon(lexiconFile, read(lexiconFile));
  const { sources } = parseYamlFile('_sources.yaml', read('_sources.yaml'), sourcesSchema);
  const { entities } = parseYamlFile('_entities.yaml', read('_entities.yaml'), entitiesSchema);
  const { attributes } = parseYamlFile('_attributes.yaml', read('_attributes.yaml'), attributesSchema);
  const language = parseYamlFile('_language.yaml', read('_language.yaml'), languageSchema);
  const { intents } = parseYamlFile('_intents.yaml', read('_intents.yaml'), intentsSchema);

  // Cross-references: every id named must exist, with the right kind.
  const entityIds = new Set<string>();
  for (const e of entities) {
    if (entityIds.has(e.id)) throw new KnowledgeFileError('_entities.yaml', `id "${e.id}" appears twice`);
    entityIds.add(e.id);
  }
  const byEntity = new Map(entities.map((e) => [e.id, e]));
  for (const e of entities) {
    const where = `entity "${e.id}"`;
    if (e.topic && !byId.has(e.topic))
      throw new KnowledgeFileError('_entities.yaml', `${where}: topic "${e.topic}" does not exist`);
    for (const m of e.members ?? []) {
      if (!entityIds.has(m))
        throw new KnowledgeFileError('_entities.yaml', `${where}: member "${m}" is not an entity`);
    }
    if (e.type === 'list' && (!e.members || e.complete === undefined))
      throw new KnowledgeFileError('_entities.yaml', `${where}: a list needs members and complete`);
  }
  const attributeIds = new Map(attributes.map((a) => [a.id, a]));
  for (const a of attributes) {
    for (const n of [...a.near, ...(a.figure ? [a.figure] : [])]) {
      if (!attributeIds.has(n))
        throw new KnowledgeFileError('_attributes.yaml', `attribute "${a.id}": "${n}" does not exist`);
    }
    if (!a.published && !a.ask)
      throw new KnowledgeFileError(
        '_attributes.yaml',
        `attribute "${a.id}": an unpublished detail needs "ask"`,
      );
  }
  entries.forEach((entry, i) => {
    const file = files[i] ?? '';
    if (!entityIds.has(entry.about))
      throw new KnowledgeFileError(file, `about "${entry.about}" is not an entity`);
    for (const s of entry.sources) {
      if (!sources[s]) throw new KnowledgeFileError(file, `source "${s}" is not in _sources.yaml`);
    }
    entry.facts.forEach((f, k) => {
      const where = `facts[${k}]`;
      for (const s of f.subject) {
        if (!entityIds.has(s))
          throw new KnowledgeFileError(file, `${where}: subject "${s}" is not an entity`);
      }
      for (const a of f.attribute) {
        const attr = attributeIds.get(a);
        if (!attr)
          throw new KnowledgeFileError(file, `${where}: attribute "${a}" is not in _attributes.yaml`);
        if (!attr.published)
          throw new KnowledgeFileError(file, `${where}: attribute "${a}" is marked unpublished`);
      }
      for (const l of f.list ?? []) {
        if (byEntity.get(l)?.type !== 'list')
          throw new KnowledgeFileError(file, `${where}: list "${l}" is not a list entity`);
      }
      for (const s of f.sources) {
        if (!sources[s])
          throw new KnowledgeFileError(file, `${where}: source "${s}" is not in _sources.yaml`);
      }
      if (f.sources.every((s) => s === 'inferred'))
        throw new KnowledgeFileError(
          file,
          `${where}: a fact needs a source page (inferred alone is guidance)`,
        );
      if (f.sources.includes('inferred') && !(GUIDANCE.test(f.text.zh) && GUIDANCE.test(f.text.en)))
        throw new KnowledgeFileError(
          file,
          `${where}: inferred facts must be phrased as guidance ("usually", "通常", "一般") in both languages`,
        );
    });
  });

  const kb = {
    entries,
    lexicon: lex,
    sources,
    entities,
    attributes,
    language,
    intents,
    pinyin: {},
    charPinyin: {},
  };
  return {
    ...kb,
    lexicon: { ...lex, stopwords: withStandardStopwords(kb) },
    ...(taught.length ? { taught } : {}),
    pinyin: pinyinOf(kb),
    charPinyin: charPinyinOf(kb),
  };
}

/**
 * The toneless pinyin of every Chinese character of the knowledge base's phrases and texts, and of
 * the 3,755 common characters (GB 2312 level 1) a pinyin keyboard may put in their place
 * ("数字技术工程师陪育项目" for 培育).
 */
function charPinyinOf(kb: Omit<KnowledgeBase, 'pinyin' | 'charPinyin'>): Record<string, string> {
  const texts = [
    ...vocabulary(kb),
    ...kb.entries.flatMap((e) => [e.answer.zh, ...e.questions.zh, ...e.facts.map((f) => f.text.zh)]),
    ...Object.values(kb.intents).flatMap((i) => i.zh),
    commonCharacters(),
  ];
  const chars = [...new Set(texts.join('').match(/\p{Script=Han}/gu) ?? [])].sort();
  const out: Record<string, string> = {};
  for (const ch of chars) {
    const p = pinyin(ch, { toneType: 'none', v: true });
    if (/^[a-z]+$/.test(p)) out[ch] = p;
  }
  return out;
}

/** GB 2312's level-1 characters (rows 16–55): the commonest 3,755. */
function commonCharacters(): string {
  const gb = new TextDecoder('gb2312');
  const bytes: number[] = [];
  for (let row = 0xb0; row <= 0xd7; row++)
    for (let cell = 0xa1; cell <= (row === 0xd7 ? 0xf9 : 0xfe); cell++) bytes.push(row, cell);
  return gb.decode(new Uint8Array(bytes));
}

/** Every phrase of the knowledge base that matching uses, in any language. */
function vocabulary(kb: Omit<KnowledgeBase, 'pinyin' | 'charPinyin'>): string[] {
  return [
    ...kb.lexicon.synonyms.flat(),
    ...kb.entries.flatMap((e) => [...e.keywords, e.title.zh, e.title.en]),
    ...kb.entities.flatMap((e) => [...e.aliases, ...e.weak]),
    ...kb.attributes.flatMap((a) => a.cues.flatMap((c) => c.phrases)),
    ...Object.values(kb.language.forms).flat(),
    ...kb.language.followup,
    ...kb.language.self,
  ];
}

/**
 * Our own stopwords plus the standard English and Chinese lists (stopwords-iso), except any word
 * the knowledge base itself uses in a keyword, title, synonym, name or cue: "new" stays searchable
 * (new energy), "nine" does not.
 */
function withStandardStopwords(kb: Omit<KnowledgeBase, 'pinyin' | 'charPinyin'>): Lexicon['stopwords'] {
  const iso = createRequire(import.meta.url)('stopwords-iso/stopwords-iso.json') as Record<
    'en' | 'zh',
    string[]
  >;
  const phrases = vocabulary(kb).map((p) => p.toLowerCase());
  const words = new Set([...phrases.flatMap((p) => p.split(/[^\p{L}\p{N}]+/u)), ...kb.lexicon.keep]);
  const han = [...phrases, ...kb.lexicon.keep].join(' ');
  const en = iso.en.filter((w) => !words.has(w) && !w.includes("'"));
  const zh = iso.zh.filter((w) => /^\p{Script=Han}+$/u.test(w) && !han.includes(w));
  return {
    en: [...new Set([...kb.lexicon.stopwords.en, ...en])],
    zh: [...new Set([...kb.lexicon.stopwords.zh, ...zh])],
  };
}

/**
 * Pinyin for the Chinese phrases people type in pinyin instead ("gaoji yanxiu ban", "shùzì
 * jìshù"): toneless, without spaces, ü as v. Phrases of one syllable are left out (too many
 * words sound alike); where two phrases sound alike, the first (entities before cues) wins.
 */
function pinyinOf(kb: Omit<KnowledgeBase, 'pinyin' | 'charPinyin'>): Record<string, string> {
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  const questionWords = kb.entries.flatMap((e) =>
    e.questions.zh.flatMap((q) =>
      [...segmenter.segment(q)].filter((s) => s.isWordLike).map((s) => s.segment),
    ),
  );
  const out: Record<string, string> = {};
  for (const text of [
    ...vocabulary(kb),
    ...Object.values(kb.intents).flatMap((i) => i.zh),
    ...questionWords,
  ]) {
    if (!/^\p{Script=Han}{2,}$/u.test(text)) continue;
    const key = (pinyin(text, { toneType: 'none', type: 'array', v: true }) as string[]).join('');
    if (/^[a-z]+$/.test(key) && !(key in out)) out[key] = text;
  }
  return out;
}
