// Parsers for typed answers: each returns the clean value or the reason it was refused.
import type { Lang } from '../types.ts';

export type Parsed = { ok: true; value: string } | { ok: false; error: Record<Lang, string> };

const ok = (value: string): Parsed => ({ ok: true, value });
const fail = (zh: string, en: string): Parsed => ({ ok: false, error: { zh, en } });

/** Removes control characters, bidirectional overrides and zero-width marks; collapses spaces. */
export function clean(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseName(text: string): Parsed {
  const name = clean(text);
  if (name.length < 2 || name.length > 40) {
    return fail('姓名应为2到40个字，请重新输入。', 'A name has 2 to 40 characters. Please type it again.');
  }
  if (!/^[\p{L}\p{M}][\p{L}\p{M} ·'’.-]*$/u.test(name)) {
    return fail(
      '姓名只能包含文字（可含空格、· 或 -），不能有数字或符号。请重新输入。',
      'A name can contain only letters (spaces, ·, - and apostrophes are fine), no digits or symbols. Please type it again.',
    );
  }
  return ok(name);
}

/** Mainland mobile numbers: 11 digits starting with 1 (second digit 3-9), with or without +86. */
export function parsePhone(text: string): Parsed {
  let digits = clean(text).replace(/[\s\-()（）.]/g, '');
  digits = digits.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  if (!/^1[3-9]\d{9}$/.test(digits)) {
    return fail(
      '大陆手机号是11位数字，以1开头（可带+86），例如 13812345678。请重新输入。',
      'A mainland mobile number has 11 digits, starting with 1 (+86 is optional), e.g. 13812345678. Please type it again.',
    );
  }
  return ok(digits);
}

export function parseEmail(text: string): Parsed {
  const email = clean(text).toLowerCase();
  if (
    email.length > 254 ||
    !/^[^\s@<>()"',;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(email)
  ) {
    return fail(
      '邮箱格式不对，例如 name@example.com。也可以点“跳过”。',
      'That does not look like an email address (e.g. name@example.com). You can also tap "Skip".',
    );
  }
  return ok(email);
}

export function parseOrganization(text: string): Parsed {
  const org = clean(text);
  if (org.length < 2 || org.length > 100) {
    return fail(
      '单位名称应为2到100个字，请重新输入。',
      'The employer name should have 2 to 100 characters. Please type it again.',
    );
  }
  if (!/\p{L}/u.test(org) || /[<>{}]/.test(org)) {
    return fail(
      '请输入单位的名称（文字，不含 < > { } 等符号）。',
      'Please type the name of your employer (words, without < > { }).',
    );
  }
  return ok(org);
}

/** Years of experience typed as a number ("5", "5年", "12 years"), mapped to a range id. */
export function parseYears(text: string): Parsed {
  const m = /^(\d{1,2})\s*(年|years?|yrs?)?$/i.exec(clean(text));
  const years = m ? Number(m[1]) : Number.NaN;
  if (!Number.isInteger(years) || years > 60) {
    return fail(
      '请选择一个范围，或输入工作年限（0到60的数字）。',
      'Pick a range, or type your years of experience (a number from 0 to 60).',
    );
  }
  if (years < 3) return ok('0-2');
  if (years <= 5) return ok('3-5');
  if (years <= 10) return ok('6-10');
  if (years <= 20) return ok('11-20');
  return ok('21+');
}

/** 138****5678 */
export const maskPhone = (phone: string) =>
  phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '****';

/** z***@example.com */
export function maskEmail(email: string): string {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
}
