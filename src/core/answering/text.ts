import type { Lang } from '../types.ts';

/** What composed answers say around the facts, in both languages. */
export const answerText = {
  yes: { zh: '是的。', en: 'Yes.' },
  no: { zh: '不是。', en: 'No.' },
  isMember: { zh: '是的，{x}是{list}之一。', en: 'Yes: {x} is one of {list}.' },
  notMember: { zh: '不是，{list}中没有{x}。', en: 'No: {x} is not among {list}.' },
  memberElsewhere: { zh: '{x}是{list}之一。', en: '{x} is one of {list}.' },
  isWhich: { zh: '这属于{x}，是{list}之一。', en: 'That is {x}, one of {list}.' },
  listOpen: {
    zh: '这份名单以“等”结尾，未列出的是否纳入，请以所在省份的年度计划为准。',
    en: 'The list ends with "and other", so for anything not named, check your province\'s yearly plan.',
  },
  difference: {
    zh: '两者相差：{expr} = {result}{unit}，{a}比{b}多。',
    en: 'The difference is {expr} = {result} {unit}: more for {a} than for {b}.',
  },
  ratio: {
    zh: '{expr} ≈ {result}，{a}约是{b}的{result}倍。',
    en: '{expr} ≈ {result}: {a} is about {result} times {b}.',
  },
  share: {
    zh: '{expr} = {result}，{a}约占{b}的{result}。',
    en: '{expr} = {result}: {a} is about {result} of {b}.',
  },
  sum: { zh: '合计：{expr} = {total}{unit}。', en: 'Together: {expr} = {total} {unit}.' },
  days: { zh: '从{a}到{b}相隔{result}天。', en: 'From {a} to {b} is {result} days.' },
  perYear: {
    zh: '按{years}年平均：{expr} ≈ {result}{unit}每年。',
    en: 'Averaged over its {years} years: {expr} ≈ {result} {unit} a year.',
  },
  average: { zh: '平均：{expr} = {result}{unit}。', en: 'On average: {expr} = {result} {unit}.' },
  perCourse: {
    zh: '平均每期约{result}人（{expr} ≈ {result}）；这是按年度总数估算的，公开资料没有给出每期的人数。',
    en: 'That is about {result} people per course on average ({expr} ≈ {result}): an estimate from the yearly totals, as the sources give no per-course figure.',
  },
  personaPicks: {
    zh: '根据您的描述，可能适合您的是：{list}。',
    en: 'From what you describe, these may suit you: {list}.',
  },
  personaYes: {
    zh: '根据您的描述，{x}是面向您这样的人员的。',
    en: 'From what you describe, {x} is aimed at people like you.',
  },
  personaOther: {
    zh: '根据您的描述，{x}不一定最对口；更可能适合您的是：{list}。',
    en: 'From what you describe, {x} may not be the closest fit; these are more likely to suit you: {list}.',
  },
  noPromise: {
    zh: '这只是根据公开资料的建议，不代表录取。',
    en: 'This is guidance from the published facts, not admission.',
  },
  notGiven: {
    zh: '公开资料没有给出{what}。建议向{ask}咨询。',
    en: 'The published sources do not give {what}. Please ask {ask}.',
  },
  notGivenFor: {
    zh: '公开资料没有给出{subject}的{what}。建议向{ask}咨询。',
    en: 'The published sources do not give {what} for {subject}. Please ask {ask}.',
  },
  notAbout: {
    zh: '公开资料没有关于{what}的信息。建议向{ask}咨询。',
    en: 'The published sources say nothing about {what}. Please ask {ask}.',
  },
  notForNewRound: {
    zh: '公开资料没有给出新一轮的这项数字或名单（{what}）：这只有第一轮（2011—2020年）的，而第一轮的数字不能当作新一轮的。建议向{ask}咨询。',
    en: "The published sources give no such figure or list for the new round ({what}): only the first round (2011–2020) has one, and the first round's figures are not the new round's. Please ask {ask}.",
  },
  thatDetail: { zh: '这项具体信息', en: 'that detail' },
  defaultAsk: { zh: '省级人力资源社会保障部门', en: 'your provincial HR department' },
  source: { zh: '来源：', en: 'Source: ' },
} satisfies Record<string, Record<Lang, string>>;
