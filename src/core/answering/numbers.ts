/** Figures as each language writes them: 82万 and 820,000; 1264.3万 and 12,643,000. */
import type { Lang } from '../types.ts';

export function formatNumber(n: number, lang: Lang): string {
  const rounded = Math.round(n * 100) / 100;
  if (lang === 'zh') {
    if (Math.abs(rounded) >= 10_000 && Number.isInteger(rounded / 1_000))
      return `${trim(rounded / 10_000)}万`;
    return trim(rounded);
  }
  return rounded.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A ratio or share to at most two decimals: 11.25, 45, 0.9. */
export const trim = (n: number) => String(Math.round(n * 100) / 100);

export const UNITS: Record<string, Record<Lang, string>> = {
  person: { zh: '人', en: 'people' },
  'person-time': { zh: '人次', en: 'person-times' },
  course: { zh: '期', en: 'courses' },
  base: { zh: '个', en: 'bases' },
  year: { zh: '年', en: '' },
};
