import { z } from 'zod';

/** A text in both languages. */
const bilingual = z.object({ zh: z.string().trim().min(1), en: z.string().trim().min(1) }).strict();
const bilingualList = z
  .object({ zh: z.array(z.string().trim().min(1)).min(1), en: z.array(z.string().trim().min(1)).min(1) })
  .strict();

export const entryFrontMatter = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by dashes'),
    title: bilingual,
    questions: bilingualList,
    keywords: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
    related: z.array(z.string()).default([]),
    source: bilingual,
  })
  .strict();

export const knowledgeEntry = entryFrontMatter.extend({ answer: bilingual });
export type KnowledgeEntry = z.infer<typeof knowledgeEntry>;

export const lexicon = z
  .object({
    synonyms: z.array(z.array(z.union([z.string(), z.number()]).transform(String)).min(2)),
    stopwords: z.object({ en: z.array(z.string()), zh: z.array(z.string()) }).strict(),
    /** Never stopwords, even in the standard lists: they change what is asked ("where"). */
    keep: z.array(z.string()).default([]),
  })
  .strict();
export type Lexicon = z.infer<typeof lexicon>;

export interface KnowledgeBase {
  entries: KnowledgeEntry[];
  lexicon: Lexicon;
}
