// Traditional → Simplified Chinese, character by character (OpenCC's TSCharacters table, ~29 KB),
// so 國家級高研班 finds 国家级高研班.
import { CustomConverter } from 'opencc-js/core';
import TSCharacters from 'opencc-js/dict/TSCharacters';

const convert = CustomConverter(TSCharacters);
const HAN = /\p{Script=Han}/u;

export const toSimplified = (text: string): string => (HAN.test(text) ? convert(text) : text);
