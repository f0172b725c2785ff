/**
 * Personal data typed into free text, replaced before the text is stored or leaves the reply path
 * (the interaction log, staff desk posts, /kup gaps): mainland mobile and landline numbers,
 * 18-character resident ID numbers, and e-mail addresses. Figures people ask about ("1264.3万",
 * "2021-2030", "20,000") are not touched: a number is personal only in these shapes.
 */
const RULES: Array<[RegExp, string]> = [
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[email]'],
  // Area code (6 digits), birth date (19xx/20xx, month, day), sequence, check digit.
  [
    /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g,
    '[id number]',
  ],
  // 138 1234 5678, +86-138-1234-5678, 0086 13812345678
  [/(?<![\d+])(?:(?:\+|00)\s?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g, '[phone]'],
  // 010-12345678, (0755) 8888 8888, 0571-8765432
  [/(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)/g, '[phone]'],
];

export function redactPersonal(text: string): string {
  let out = text;
  for (const [pattern, label] of RULES) out = out.replace(pattern, label);
  return out;
}
