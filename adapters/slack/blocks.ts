// Block Kit for staff: the statistics dashboard, registrations, knowledge gaps, help.
import { FIELDS, PROVINCES, SUBPROJECTS } from '../../src/core/dialog/options.ts';
import type { Registration } from '../../src/core/types.ts';
import type { Count, Gap, Stats } from '../../src/db/stats.ts';

export type Block = Record<string, unknown>;

export const plainText = (text: string) => ({ type: 'plain_text', text });
/** A section of mrkdwn (cut under Slack's 3,000 characters), with a button or other accessory. */
export const section = (text: string, accessory?: Block): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: text.slice(0, 2_990) },
  ...(accessory ? { accessory } : {}),
});
export const header = (text: string): Block => ({ type: 'header', text: plainText(text.slice(0, 150)) });
/** A button; its value holds 2,000 characters. */
export const button = (
  action_id: string,
  text: string,
  value: string,
  style?: 'primary' | 'danger',
): Block => ({
  type: 'button',
  action_id,
  text: plainText(text),
  value: value.slice(0, 2_000),
  ...(style ? { style } : {}),
});
export const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const divider: Block = { type: 'divider' };

/** Slack mrkdwn treats &, < and > specially. */
export const mrkdwn = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (options: { id: string; en: string; zh: string }[], id: string) => {
  const o = options.find((x) => x.id === id);
  return o ? `${o.en} (${o.zh})` : id;
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Text bars, scaled to the largest count. */
export function bars(counts: Count[], name: (key: string) => string = (k) => k, width = 20): string {
  if (counts.length === 0) return '_none yet_';
  const max = Math.max(1, ...counts.map((c) => c.count));
  return counts
    .map(
      (c) =>
        `\`${'█'.repeat(Math.round((c.count / max) * width)).padEnd(width, '·')}\` ${c.count}  ${mrkdwn(name(c.key))}`,
    )
    .join('\n');
}

const PERIOD_NAMES = {
  today: 'today',
  '7d': 'the last 7 days',
  '30d': 'the last 30 days',
  all: 'all time',
} as const;

/** "45 s", "12 min", "3.5 h", or "-" when nothing was answered. */
export const duration = (seconds: number | null) =>
  seconds === null
    ? '-'
    : seconds < 90
      ? `${seconds} s`
      : seconds < 90 * 60
        ? `${Math.round(seconds / 60)} min`
        : `${(seconds / 3600).toFixed(1)} h`;

export function statsBlocks(s: Stats): Block[] {
  const trend = s.days.slice(-30);
  return [
    header(`Knowledge update assistant: ${PERIOD_NAMES[s.period]}`),
    section(
      [
        `*Conversations:* ${s.conversations}   *Unique users:* ${s.users}`,
        `*Questions:* ${s.questions}   *answered:* ${s.answered} (${s.taughtAnswers} from taught entries)   *not answered:* ${s.unanswered}   *fallback rate:* ${pct(s.fallbackRate)}`,
        `*Registrations:* ${s.registrations.total}`,
        `*Handed to staff:* ${s.handoffs.opened}   *answered by staff:* ${s.handoffs.answered}   *median time to first staff reply:* ${duration(s.handoffs.medianFirstReplySeconds)}   *open now:* ${s.handoffs.open}`,
      ].join('\n'),
    ),
    section(`*By sub-project*\n${bars(s.registrations.bySubproject, (k) => label(SUBPROJECTS, k))}`),
    section(`*By field*\n${bars(s.registrations.byField, (k) => label(FIELDS, k))}`),
    section(`*By province*\n${bars(s.registrations.byProvince.slice(0, 10), (k) => label(PROVINCES, k))}`),
    divider,
    section(`*Registration funnel* (conversations reaching each step)\n${bars(s.funnel)}`),
    section(`*Channels* (users)\n${bars(s.channels)}`),
    section(`*Messages per day* (${s.timeZone})\n${bars(trend)}`),
    section(`*Most asked topics*\n${bars(s.topics)}`),
    context(
      `Times in ${s.timeZone}${s.since ? `, since ${s.since.toISOString()}` : ''}. \`/kup help\` for more.`,
    ),
  ];
}

export function registrationBlocks(total: number, rows: Registration[], staff: boolean): Block[] {
  if (!staff) {
    return [
      section(
        `*Registrations:* ${total} in all.\nNames and contact details are shown only to programme staff listed in \`SLACK_STAFF_USER_IDS\`; ask an administrator if you need access.`,
      ),
    ];
  }
  if (rows.length === 0) return [section('No registrations yet.')];
  return [
    header(`Latest ${rows.length} of ${total} registrations`),
    ...rows.map((r) =>
      section(
        [
          `*${mrkdwn(r.name)}* · ${r.reference} · ${r.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${r.channel}`,
          `📱 ${r.phone}${r.email ? `   ✉️ ${mrkdwn(r.email)}` : ''}`,
          `${mrkdwn(r.organization ?? '-')} · ${r.title ?? '-'} · ${label(FIELDS, r.field ?? '-')} · ${label(PROVINCES, r.province ?? '-')}`,
          `Interested in: ${label(SUBPROJECTS, r.subproject)}`,
        ].join('\n'),
      ),
    ),
  ];
}

/** Unanswered questions, each with an Answer button (which opens the teach modal) where teaching is on. */
export function gapBlocks(gaps: Gap[], teach = false): Block[] {
  if (gaps.length === 0) return [section('No unanswered questions so far.')];
  return [
    header('Questions the assistant could not answer'),
    ...gaps.map((g) =>
      section(
        `*${g.count}×* ${mrkdwn(g.question.slice(0, 200))}  _last ${g.lastAsked.toISOString().slice(0, 10)}_`,
        teach ? button('gap_answer', 'Answer', g.question.slice(0, 1_000)) : undefined,
      ),
    ),
    context(
      teach
        ? '*Answer* teaches the assistant (live on every channel within 30 s); `/kup kb` lists what was taught. Lasting facts belong in `knowledge/`.'
        : 'Add what is missing to `knowledge/` (see knowledge/README.md).',
    ),
  ];
}

export const HELP = [
  '*/kup stats [today|7d|30d|all]* — usage, questions answered, registrations, funnel, trend (default 7d)',
  '*/kup registrations [N]* — the latest N registrations (personal data for staff only)',
  '*/kup export* — staff only: all registrations as a CSV, sent to you as a direct message',
  '*/kup gaps* — staff only: questions the assistant could not answer, each with an *Answer* button',
  '*/kup teach* — staff only: teach an answer (example questions, Chinese and English answer, source, last day); live on every channel within 30 s',
  '*/kup kb* — staff only: what was taught; `kb show ID` with its history and an Edit button, `kb retire ID`, `kb restore ID`',
  '*/kup help* — this list',
].join('\n');

export const helpBlocks = (lead?: string): Block[] => [section([lead, HELP].filter(Boolean).join('\n\n'))];

/**
 * One CSV cell: always quoted (RFC 4180), and a formula start neutralised wherever a spreadsheet
 * could begin a cell: at the start, and after a ";" or "," (where an import may split the cell).
 */
export const csvCell = (value: string | null) => {
  const safe = (value ?? '').replace(/(^|[;,])(\s*)([=+\-@\t\r])/g, "$1$2'$3");
  return `"${safe.replace(/"/g, '""')}"`;
};

/** Registrations as CSV. */
export function csvRows(rows: Registration[]): string {
  const cell = csvCell;
  return rows
    .map((r) =>
      [
        r.reference,
        r.createdAt.toISOString(),
        r.channel,
        r.subproject,
        r.name,
        r.phone,
        r.email,
        r.organization,
        r.title,
        r.field,
        r.province,
        r.experience,
        r.lang,
      ]
        .map(cell)
        .join(','),
    )
    .map((line) => `${line}\r\n`)
    .join('');
}

export const CSV_HEADER = `${[
  'reference',
  'created_at',
  'channel',
  'subproject',
  'name',
  'phone',
  'email',
  'organization',
  'title',
  'field',
  'province',
  'experience',
  'lang',
]
  .map(csvCell)
  .join(',')}\r\n`;
