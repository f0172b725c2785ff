/** Text normalisation shared by indexing and queries: width, case, punctuation. */

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;
const LATIN_WORD_G = /[\p{L}\p{N}]+/gu;

export const isHan = (ch: string) => HAN.test(ch);

/** NFKC (full-width → ASCII), lower case, Traditional → Simplified where we know the character,
 * every run of non-letters/digits collapsed to one space. */
export function normalize(text: string, toSimplified: (s: string) => string = (s) => s): string {
  return toSimplified(text.normalize('NFKC').toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Chinese if Han characters outweigh Latin words; English otherwise. */
export function detectLanguage(text: string): 'zh' | 'en' | undefined {
  const han = text.match(HAN_G)?.length ?? 0;
  const latin = (text.replace(HAN_G, ' ').match(LATIN_WORD_G) ?? []).filter((w) => /\p{L}/u.test(w)).length;
  if (han === 0 && latin === 0) return undefined;
  return han >= latin ? 'zh' : 'en';
}
