// Office hours of the staff desk, in the programme's time zone: when a person can answer.
import type { Lang } from './types.ts';

export interface OfficeHours {
  /** Days of the week, 0 = Sunday. */
  days: Set<number>;
  /** Minutes after midnight. */
  start: number;
  end: number;
  timeZone: string;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_NAMES = {
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
};

/** Parses "mon-fri 09:00-17:00" (days as ranges or lists: "mon,wed,fri"); throws with the reason. */
export function parseOfficeHours(text: string, timeZone: string): OfficeHours {
  const match = /^\s*([a-z,\s-]+?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not like "mon-fri 09:00-17:00"`);
  const [, dayPart = '', h1 = '', m1 = '', h2 = '', m2 = ''] = match;
  const days = new Set<number>();
  for (const piece of dayPart.toLowerCase().split(',')) {
    const [from, to = from] = piece.trim().split(/\s*-\s*/);
    const a = DAYS.indexOf(from ?? '');
    const b = DAYS.indexOf(to ?? '');
    if (a < 0 || b < 0) throw new Error(`"${piece.trim()}" is not a day or a range of days (mon … sun)`);
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  const start = Number(h1) * 60 + Number(m1);
  const end = Number(h2) * 60 + Number(m2);
  if (Number(m1) > 59 || Number(m2) > 59 || end > 24 * 60 || start >= end)
    throw new Error(`"${h1}:${m1}-${h2}:${m2}" is not a time range within one day`);
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`"${timeZone}" is not a time zone`);
  }
  return { days, start, end, timeZone };
}

/** The weekday and minute of the day at `date` in the office's time zone. */
function local(hours: OfficeHours, date: Date): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3)),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

const clock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Is someone at the desk now; if not, when the desk opens next ("tomorrow at 09:00"). */
export function officeStatus(hours: OfficeHours, now: Date): { open: boolean; next?: Record<Lang, string> } {
  const { day, minute } = local(hours, now);
  if (hours.days.has(day) && minute >= hours.start && minute < hours.end) return { open: true };
  for (let ahead = 0; ahead < 8; ahead++) {
    const d = (day + ahead) % 7;
    if (!hours.days.has(d) || (ahead === 0 && minute >= hours.start)) continue;
    const at = clock(hours.start);
    return {
      open: false,
      next:
        ahead === 0
          ? { en: `today at ${at}`, zh: `今天 ${at}` }
          : ahead === 1
            ? { en: `tomorrow at ${at}`, zh: `明天 ${at}` }
            : { en: `${DAY_NAMES.en[d]} at ${at}`, zh: `${DAY_NAMES.zh[d]} ${at}` },
    };
  }
  return { open: false };
}

/** "Mon–Fri 09:00–17:00, Beijing time" in either language. */
export function describeHours(hours: OfficeHours, lang: Lang): string {
  const sorted = [...hours.days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)); // Monday first
  const names = DAY_NAMES[lang];
  const contiguous = sorted.every((d, i) => i === 0 || d === ((sorted[i - 1] as number) + 1) % 7);
  const first = names[sorted[0] as number] ?? '';
  const last = names[sorted[sorted.length - 1] as number] ?? '';
  const days =
    sorted.length === 7
      ? lang === 'zh'
        ? '每天'
        : 'every day'
      : contiguous && sorted.length > 2
        ? lang === 'zh'
          ? `${first}至${last}`
          : `${first.slice(0, 3)}–${last.slice(0, 3)}`
        : sorted
            .map((d) => (lang === 'zh' ? names[d] : names[d]?.slice(0, 3)))
            .join(lang === 'zh' ? '、' : ', ');
  const zone =
    hours.timeZone === 'Asia/Shanghai' ? (lang === 'zh' ? '北京时间' : 'Beijing time') : hours.timeZone;
  return `${days} ${clock(hours.start)}–${clock(hours.end)}${lang === 'zh' ? `（${zone}）` : ` (${zone})`}`;
}
