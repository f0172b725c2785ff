/** Text normalisation shared by indexing and queries: width, case, punctuation. */

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;
const LATIN_WORD_G = /[\p{L}\p{N}]+/gu;

export const isHan = (ch: string) => HAN.test(ch);

const MULTIPLIERS: Record<string, number> = {
  万: 1e4,
  k: 1e3,
  thousand: 1e3,
  million: 1e6,
  百万: 1e6,
  亿: 1e8,
};

/** Writes figures one way in both languages: "20,000", "2万" and "20k" all become "20000". */
export function canonicalNumbers(text: string): string {
  return (
    text
      .replace(/(\d)[,，](?=\d{3}(?!\d))/g, '$1')
      // A match starts only where a number starts: scanning from inside a long run of digits would
      // retry at every digit (quadratic in the run's length).
      .replace(
        /(?<![\d.])(\d+(?:\.\d+)?)\s*(百万|万|亿|k\b|thousand\b|million\b)/g,
        (_, n: string, unit: string) => String(Math.round(Number(n) * (MULTIPLIERS[unit] ?? 1))),
      )
  );
}

/** NFKC (full-width → ASCII), lower case, Traditional → Simplified where we know the character,
 * figures in one form, every run of non-letters/digits collapsed to one space. */
export function normalize(text: string, toSimplified: (s: string) => string = (s) => s): string {
  return canonicalNumbers(toSimplified(text.normalize('NFKC').toLowerCase()))
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
