// The dialogs as data: each step says what it asks, what it accepts and how it is shown.
// The engine (engine.ts) runs any flow; adding or reordering a step needs no new code.
import type { DialogField, DialogState, Lang } from '../types.ts';
import { EXPERIENCE, FIELDS, type Option, optionLabel, PROVINCES, SUBPROJECTS, TITLES } from './options.ts';
import {
  maskEmail,
  maskPhone,
  type Parsed,
  parseEmail,
  parseName,
  parseOrganization,
  parsePhone,
  parseYears,
} from './validate.ts';

type Text = Record<Lang, string>;
export type FlowId = DialogState['flow'];
export type DialogData = DialogState['data'];

export interface StepDef {
  /** Key of the answer in the dialog's data. */
  id: string;
  /** What `/api/chat` reports as meta.field while this step waits. */
  field: DialogField;
  prompt: Text;
  /** A list to choose from (shown as buttons; typed names and aliases also count). */
  options?: Option[];
  /** How a typed answer is read (for list steps: when it names no option). */
  parse?: (text: string) => Parsed;
  /** Offers "Skip" from the start. */
  optional?: boolean;
  /** Personal data: never logged, masked when shown back. */
  personal?: boolean;
  /** Required steps are never skipped, even after failed tries. */
  required?: boolean;
  show?: (value: string, lang: Lang) => string;
  /** Ask this step only when true. */
  when?: (data: DialogData) => boolean;
  /** Choosing this value ends the dialog with this message. */
  stop?: { value: string; message: Text };
  /** Also accepts a phone number shared as a contact (Telegram). */
  acceptsContact?: boolean;
}

export interface FlowDef {
  id: FlowId;
  steps: StepDef[];
  /** Ends with a review card and a confirm step. */
  review: boolean;
}

export const CONSENT_OPTIONS: Option[] = [
  {
    id: 'agree',
    zh: '同意并继续',
    en: 'I agree',
    aliases: ['同意', '好的', '好', '可以', 'yes', 'y', 'ok', 'agree', 'i agree', '是'],
  },
  {
    id: 'decline',
    zh: '不同意',
    en: 'No thanks',
    aliases: ['不同意', '不', '否', 'no', 'n', 'decline', 'no thanks'],
  },
];

export const YES_NO: Option[] = [
  {
    id: 'yes',
    zh: '确定',
    en: 'Yes',
    aliases: [
      '是',
      '好',
      '确定',
      '确认',
      '确认提交',
      '提交',
      '可以',
      'y',
      'yes',
      'ok',
      'sure',
      'confirm',
      'submit',
    ],
  },
  {
    id: 'no',
    zh: '不用了',
    en: 'No',
    aliases: ['不', '否', '不要', '算了', '保留', 'n', 'no', 'nope', 'keep'],
  },
];

export const ROLES: Option[] = [
  {
    id: 'professional',
    zh: '专业技术人员',
    en: 'Professional / technical staff',
    aliases: ['技术人员', '工程师', 'engineer', 'technician', 'professional'],
  },
  {
    id: 'manager',
    zh: '管理人员',
    en: 'Manager',
    aliases: ['经营管理人员', '管理', '领导', 'manager', 'management', 'executive'],
  },
  {
    id: 'digital',
    zh: '从事或准备从事数字技术职业',
    en: 'Working in, or moving into, a digital-technology job',
    aliases: ['数字技术', '转行', 'digital', 'it', 'ai'],
  },
  { id: 'other', zh: '其他', en: 'Other', aliases: ['其它', 'other', 'student', '学生'] },
];

export const registerFlow: FlowDef = {
  id: 'register',
  review: true,
  steps: [
    {
      id: 'consent',
      field: 'consent',
      required: true,
      options: CONSENT_OPTIONS,
      prompt: {
        zh: '意向预登记：工作人员会根据您的信息跟进联系。这只是登记意向，不代表录取；实际参加通常需经所在单位、承办单位或列入目录的培训机构。\n\n个人信息说明：我们将收集姓名、手机号、邮箱（可不填）、工作单位、职称、领域、意向项目、所在地区和工作年限，仅用于项目工作人员跟进您的意向。登记信息自最后一次更新起保存 {days} 天后自动删除；未完成的登记 {dialogDays} 天后删除；您也可随时输入 /forget 立即删除全部信息。同意后才会保存任何信息。\n\n是否同意？',
        en: 'Pre-registration of interest: programme staff will follow up with you. It records your interest only and is not admission; taking part usually goes through your employer, a host unit or a listed training institution.\n\nYour personal information: we collect your name, mobile number, email (optional), employer, professional title, field, sub-project of interest, region and years of experience, only so that programme staff can follow up. A registration is deleted automatically {days} days after its last update, an unfinished one after {dialogDays} days, and you can delete all of it at any time by typing /forget. Nothing is stored until you agree.\n\nDo you agree?',
      },
      stop: {
        value: 'decline',
        message: {
          zh: '好的，已取消，没有保存任何信息。有问题随时问我。',
          en: 'OK, cancelled. Nothing was stored. Ask me anything any time.',
        },
      },
    },
    {
      id: 'name',
      field: 'name',
      required: true,
      personal: true,
      parse: parseName,
      prompt: { zh: '请输入您的姓名：', en: 'Please type your full name:' },
    },
    {
      id: 'phone',
      field: 'phone',
      required: true,
      personal: true,
      acceptsContact: true,
      parse: parsePhone,
      show: maskPhone,
      prompt: {
        zh: '请输入您的手机号（中国大陆11位手机号，可带+86）：',
        en: 'Please type your mobile number (a mainland China number, 11 digits, +86 optional):',
      },
    },
    {
      id: 'email',
      field: 'email',
      optional: true,
      personal: true,
      parse: parseEmail,
      show: maskEmail,
      prompt: {
        zh: '请输入您的电子邮箱（可选，可点“跳过”）：',
        en: 'Your email address (optional: tap "Skip" to leave it out):',
      },
    },
    {
      id: 'organization',
      field: 'organization',
      personal: true,
      parse: parseOrganization,
      prompt: { zh: '请输入您的工作单位：', en: 'Which organisation do you work for?' },
    },
    {
      id: 'title',
      field: 'title',
      options: TITLES,
      show: optionLabel(TITLES),
      prompt: { zh: '您的专业技术职称是？', en: 'What is your professional title level?' },
    },
    {
      id: 'field',
      field: 'field',
      options: FIELDS,
      show: optionLabel(FIELDS),
      prompt: { zh: '您所在的领域是？', en: 'Which field do you work in?' },
    },
    {
      id: 'subproject',
      field: 'subproject',
      options: SUBPROJECTS,
      show: optionLabel(SUBPROJECTS),
      prompt: { zh: '您对哪个子项目感兴趣？', en: 'Which sub-project are you interested in?' },
    },
    {
      id: 'province',
      field: 'province',
      options: PROVINCES,
      show: optionLabel(PROVINCES),
      prompt: {
        zh: '您所在的省份或地区是？（可直接输入，如“上海”或“沪”）',
        en: 'Which province or region are you in? (You can type it, e.g. "Shanghai".)',
      },
    },
    {
      id: 'experience',
      field: 'experience',
      options: EXPERIENCE,
      parse: parseYears,
      show: optionLabel(EXPERIENCE),
      prompt: { zh: '您的工作年限是？', en: 'How many years of work experience do you have?' },
    },
  ],
};

export const triageFlow: FlowDef = {
  id: 'triage',
  review: false,
  steps: [
    {
      id: 'title',
      field: 'title',
      options: TITLES,
      prompt: {
        zh: '帮您看看哪个子项目适合：先说说您的职称级别？',
        en: "Let's find the sub-project that suits you. What is your professional title level?",
      },
    },
    {
      id: 'role',
      field: 'title',
      options: ROLES,
      prompt: { zh: '您目前的岗位是？', en: 'What is your role?' },
    },
    {
      id: 'field',
      field: 'field',
      options: FIELDS,
      when: (data) => data.role !== 'digital',
      prompt: { zh: '您所在的领域是？', en: 'Which field do you work in?' },
    },
  ],
};

export const forgetFlow: FlowDef = {
  id: 'forget',
  review: false,
  steps: [
    {
      id: 'confirm',
      field: 'confirm',
      required: true,
      options: YES_NO,
      prompt: {
        zh: '确定要删除您的全部信息吗？这会删除您的预登记记录、进行中的登记和您发送过的消息内容（只保留匿名统计），且无法恢复。',
        en: 'Delete all your information? This removes your pre-registrations, any registration in progress and the text of your messages (only anonymous counts remain). It cannot be undone.',
      },
    },
  ],
};

export const FLOWS: Record<FlowId, FlowDef> = {
  register: registerFlow,
  triage: triageFlow,
  forget: forgetFlow,
};

/**
 * Which sub-projects suit a person, from the plan's descriptions of whom each serves: digital
 * engineer training for people in or entering digital-technology jobs; advanced training mainly
 * for mid- and high-level professionals and managers (a local explanation); ability
 * improvement training for professional and technical personnel.
 */
export function recommend(data: DialogData): string[] {
  const picks: string[] = [];
  if (data.role === 'digital' || data.field === 'it') picks.push('digital-engineer');
  const midOrHigh = ['intermediate', 'associate-senior', 'senior'].includes(data.title ?? '');
  if (data.role === 'manager' || midOrHigh) picks.push('advanced-training');
  if (data.role !== 'manager' || picks.length === 0) picks.push('ability-improvement');
  return picks;
}
