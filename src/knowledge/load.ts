// Reads knowledge/ from disk (Node only: used by the build step and by tests, never at runtime).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  entryFrontMatter,
  type KnowledgeBase,
  type KnowledgeEntry,
  type Lexicon,
  lexicon,
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

function describe(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** Parses one topic file: YAML front matter, then `## 中文` and `## English` sections. */
export function parseEntry(file: string, text: string): KnowledgeEntry {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
  if (!match) throw new KnowledgeFileError(file, 'expected YAML front matter between two "---" lines');
  let front: unknown;
  try {
    front = parseYaml(match[1] ?? '');
  } catch (error) {
    throw new KnowledgeFileError(file, `front matter is not valid YAML: ${describe(error)}`);
  }
  const parsed = entryFrontMatter.safeParse(front);
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
  return { ...parsed.data, answer: { zh: answer.zh ?? '', en: answer.en ?? '' } };
}

export function parseLexicon(file: string, text: string) {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new KnowledgeFileError(file, `not valid YAML: ${describe(error)}`);
  }
  const parsed = lexicon.safeParse(raw);
  if (!parsed.success) throw new KnowledgeFileError(file, describe(parsed.error));
  return parsed.data;
}

/** Loads and cross-checks a knowledge folder; every error names its file. */
export function loadKnowledge(dir: string): KnowledgeBase {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && !f.startsWith('_') && f !== 'README.md')
    .sort();
  const entries = files.map((f) => parseEntry(f, readFileSync(join(dir, f), 'utf8')));
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
  const lexicon = parseLexicon(lexiconFile, readFileSync(join(dir, lexiconFile), 'utf8'));
  return { entries, lexicon: { ...lexicon, stopwords: withStandardStopwords(lexicon, entries) } };
}

/**
 * Our own stopwords plus the standard English and Chinese lists (stopwords-iso), except any word
 * the knowledge base itself uses in a keyword, title or synonym: "new" stays searchable (new
 * energy), "nine" does not.
 */
function withStandardStopwords(lexicon: Lexicon, entries: KnowledgeEntry[]): Lexicon['stopwords'] {
  const iso = createRequire(import.meta.url)('stopwords-iso/stopwords-iso.json') as Record<
    'en' | 'zh',
    string[]
  >;
  const phrases = [
    ...lexicon.synonyms.flat(),
    ...entries.flatMap((e) => [...e.keywords, e.title.zh, e.title.en]),
  ].map((p) => p.toLowerCase());
  const words = new Set([...phrases.flatMap((p) => p.split(/[^\p{L}\p{N}]+/u)), ...lexicon.keep]);
  const han = [...phrases, ...lexicon.keep].join(' ');
  const en = iso.en.filter((w) => !words.has(w) && !w.includes("'"));
  const zh = iso.zh.filter((w) => /^\p{Script=Han}+$/u.test(w) && !han.includes(w));
  return {
    en: [...new Set([...lexicon.stopwords.en, ...en])],
    zh: [...new Set([...lexicon.stopwords.zh, ...zh])],
  };
}
