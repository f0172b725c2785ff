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

const CN_DIGITS: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const EN_NUMBERS: Record<string, number> = Object.fromEntries(
  [
    'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen',
  ]
    .flatMap((s) => s.split(' '))
    .map((w, i) => [w, i])
    .concat(
      'twenty thirty forty fifty sixty seventy eighty ninety'.split(' ').map((w, i) => [w, 20 + 10 * i]),
      [['a', 1]],
    ),
);
const EN_SCALES: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6 };

/** 三百, 九十, 十二, 两千 (below ten thousand; 万 and 亿 are multipliers). */
function chineseNumber(s: string): number {
  let total = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch in CN_DIGITS) digit = CN_DIGITS[ch] as number;
    else {
      total += (digit || 1) * (CN_UNITS[ch] as number);
      digit = 0;
    }
  }
  return total + digit;
}

/** "one million", "nine hundred thousand", "twenty thousand" (only with a scale word: "one of" stays). */
function englishNumber(words: string[]): number {
  let total = 0;
  let group = 0;
  for (const w of words) {
    if (w in EN_SCALES) {
      const scale = EN_SCALES[w] as number;
      if (scale === 100) group = (group || 1) * 100;
      else {
        total += (group || 1) * scale;
        group = 0;
      }
    } else group += EN_NUMBERS[w] ?? 0;
  }
  return total + group;
}

/** A run of number words ("nine hundred thousand"): matched whole, so a long run costs its length. */
const EN_RUN = new RegExp(
  `\\b(?:${[...Object.keys(EN_NUMBERS), ...Object.keys(EN_SCALES)].join('|')})(?:[ -](?:${[...Object.keys(EN_NUMBERS), ...Object.keys(EN_SCALES)].join('|')}))*\\b`,
  'gi',
);
const CN_RUN = /[零一二两三四五六七八九十百千]+/g;
const CN_COUNTED = /[期个人名家所位年]/;
/** Longer runs are not figures anyone writes in words. */
const MAX_WORDS = 8;

/**
 * Writes figures one way in both languages: "20,000", "2万", "两万", "20k" and "twenty thousand"
 * all become "20000"; "三百期" is "300期" ("一个", "一年" and "one of" stay).
 */
export function canonicalNumbers(text: string): string {
  return (
    text
      .replace(EN_RUN, (m: string) => {
        // "12.643 million" is the figure's own multiplier, below.
        const words = m.toLowerCase().split(/[ -]/);
        const figure = words.some((w) => w in EN_SCALES) && words.some((w) => w in EN_NUMBERS);
        return words.length <= MAX_WORDS && figure ? String(englishNumber(words)) : m;
      })
      .replace(CN_RUN, (m: string, at: number, all: string) => {
        const next = all[at + m.length] ?? '';
        if (/\d/.test(all[at - 1] ?? '')) return m;
        const multiplied = next === '万' || next === '亿';
        const counted = CN_COUNTED.test(next) && /[十百千]/.test(m);
        return m.length <= MAX_WORDS && (multiplied || counted) ? String(chineseNumber(m)) : m;
      })
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
