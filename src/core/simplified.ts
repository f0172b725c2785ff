// Traditional → Simplified Chinese: Taiwan's words first (數位 → 數字, 人工智慧 → 人工智能, 資訊 →
// 信息; OpenCC's TWPhrasesRev, ~18 KB), then character by character (OpenCC's TSCharacters,
// ~29 KB), so 數位技術工程師 and 國家級高研班 find 数字技术工程师 and 国家级高研班.
import { ConverterFactory } from 'opencc-js/core';
import TSCharacters from 'opencc-js/dict/TSCharacters';
import TWPhrasesRev from 'opencc-js/dict/TWPhrasesRev';

const convert = ConverterFactory([TWPhrasesRev], [TSCharacters]);
const HAN = /\p{Script=Han}/u;

export const toSimplified = (text: string): string => (HAN.test(text) ? convert(text) : text);
