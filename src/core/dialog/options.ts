// The lists a registration chooses from, in both languages, with the aliases people type.
import type { Lang } from '../types.ts';

export interface Option {
  id: string;
  zh: string;
  en: string;
  /** Other ways people write it (any language, case-insensitive). */
  aliases?: string[];
}

export const TITLES: Option[] = [
  { id: 'junior', zh: '初级', en: 'Junior', aliases: ['初级职称', 'assistant', 'primary'] },
  { id: 'intermediate', zh: '中级', en: 'Intermediate', aliases: ['中级职称', 'mid', 'mid-level', 'middle'] },
  {
    id: 'associate-senior',
    zh: '副高级',
    en: 'Associate senior',
    aliases: ['副高', '副高级职称', 'deputy senior', 'vice senior'],
  },
  {
    id: 'senior',
    zh: '正高级',
    en: 'Senior',
    aliases: ['正高', '正高级职称', 'full senior', 'professor level'],
  },
  { id: 'none', zh: '无职称', en: 'No title', aliases: ['无', '没有', 'none', 'no', '暂无'] },
  { id: 'other', zh: '其他', en: 'Other', aliases: ['其它', 'others'] },
];

export const FIELDS: Option[] = [
  {
    id: 'it',
    zh: '新一代信息技术',
    en: 'New-generation IT',
    aliases: ['信息技术', 'it', 'information technology', 'new generation information technology'],
  },
  { id: 'biotech', zh: '生物技术', en: 'Biotechnology', aliases: ['生物', 'biotech'] },
  { id: 'new-energy', zh: '新能源', en: 'New energy', aliases: ['renewable energy'] },
  { id: 'new-materials', zh: '新材料', en: 'New materials', aliases: ['materials', 'new material'] },
  {
    id: 'equipment',
    zh: '高端装备',
    en: 'High-end equipment',
    aliases: ['高端装备制造', 'high end equipment', 'equipment'],
  },
  {
    id: 'nev',
    zh: '新能源汽车',
    en: 'New energy vehicles',
    aliases: ['nev', 'electric vehicles', 'ev', '电动汽车', '新能源车', '电动车'],
  },
  {
    id: 'green',
    zh: '绿色环保',
    en: 'Green environmental protection',
    aliases: ['环保', 'environmental protection', 'green'],
  },
  { id: 'aerospace', zh: '航空航天', en: 'Aerospace', aliases: ['航天', '航空', 'aviation', 'space'] },
  { id: 'marine', zh: '海洋装备', en: 'Marine equipment', aliases: ['海洋', 'marine', 'ocean equipment'] },
  { id: 'other', zh: '其他领域', en: 'Other field', aliases: ['其他', '其它', 'other', 'others'] },
];

export const SUBPROJECTS: Option[] = [
  {
    id: 'advanced-training',
    zh: '高级研修项目',
    en: 'Advanced training',
    aliases: ['高级研修', '高研', '高研班', 'advanced seminar'],
  },
  {
    id: 'ability-improvement',
    zh: '能力提升培训',
    en: 'Ability improvement training',
    aliases: ['能力提升', 'capacity building', 'ability improvement'],
  },
  {
    id: 'digital-engineer',
    zh: '数字技术工程师培育',
    en: 'Digital technology engineer training',
    aliases: ['数字技术工程师', '数字工程师', 'digital engineer', 'digital technology engineer'],
  },
  {
    id: 'continuing-education-base',
    zh: '继续教育基地',
    en: 'Continuing education bases',
    aliases: ['继续教育基地', '基地', 'base', 'continuing education base'],
  },
  {
    id: 'undecided',
    zh: '帮我选择',
    en: 'Help me choose',
    aliases: ['不确定', '不知道', '帮我选', 'not sure', "don't know", 'help me choose', 'undecided'],
  },
];

export const EXPERIENCE: Option[] = [
  { id: '0-2', zh: '3年以下', en: 'Under 3 years' },
  { id: '3-5', zh: '3–5年', en: '3–5 years' },
  { id: '6-10', zh: '6–10年', en: '6–10 years' },
  { id: '11-20', zh: '11–20年', en: '11–20 years' },
  { id: '21+', zh: '20年以上', en: 'Over 20 years' },
];

/** The 34 provincial-level divisions and overseas, with short forms (沪, 粤) and English names. */
export const PROVINCES: Option[] = [
  ['beijing', '北京', 'Beijing', ['京', '北京市']],
  ['tianjin', '天津', 'Tianjin', ['津', '天津市']],
  ['hebei', '河北', 'Hebei', ['冀', '河北省']],
  ['shanxi', '山西', 'Shanxi', ['晋', '山西省']],
  ['inner-mongolia', '内蒙古', 'Inner Mongolia', ['蒙', '内蒙古自治区', 'nei mongol', 'neimenggu']],
  ['liaoning', '辽宁', 'Liaoning', ['辽', '辽宁省']],
  ['jilin', '吉林', 'Jilin', ['吉', '吉林省']],
  ['heilongjiang', '黑龙江', 'Heilongjiang', ['黑', '黑龙江省']],
  ['shanghai', '上海', 'Shanghai', ['沪', '上海市']],
  ['jiangsu', '江苏', 'Jiangsu', ['苏', '江苏省']],
  ['zhejiang', '浙江', 'Zhejiang', ['浙', '浙江省']],
  ['anhui', '安徽', 'Anhui', ['皖', '安徽省']],
  ['fujian', '福建', 'Fujian', ['闽', '福建省']],
  ['jiangxi', '江西', 'Jiangxi', ['赣', '江西省']],
  ['shandong', '山东', 'Shandong', ['鲁', '山东省']],
  ['henan', '河南', 'Henan', ['豫', '河南省']],
  ['hubei', '湖北', 'Hubei', ['鄂', '湖北省']],
  ['hunan', '湖南', 'Hunan', ['湘', '湖南省']],
  ['guangdong', '广东', 'Guangdong', ['粤', '广东省', 'canton']],
  ['guangxi', '广西', 'Guangxi', ['桂', '广西壮族自治区']],
  ['hainan', '海南', 'Hainan', ['琼', '海南省']],
  ['chongqing', '重庆', 'Chongqing', ['渝', '重庆市']],
  ['sichuan', '四川', 'Sichuan', ['川', '蜀', '四川省']],
  ['guizhou', '贵州', 'Guizhou', ['贵', '黔', '贵州省']],
  ['yunnan', '云南', 'Yunnan', ['云', '滇', '云南省']],
  ['tibet', '西藏', 'Tibet', ['藏', '西藏自治区', 'xizang']],
  ['shaanxi', '陕西', 'Shaanxi', ['陕', '秦', '陕西省']],
  ['gansu', '甘肃', 'Gansu', ['甘', '陇', '甘肃省']],
  ['qinghai', '青海', 'Qinghai', ['青', '青海省']],
  ['ningxia', '宁夏', 'Ningxia', ['宁', '宁夏回族自治区']],
  ['xinjiang', '新疆', 'Xinjiang', ['新', '新疆维吾尔自治区']],
  ['hong-kong', '香港', 'Hong Kong', ['港', '香港特别行政区', 'hongkong', 'hk']],
  ['macao', '澳门', 'Macao', ['澳', '澳门特别行政区', 'macau']],
  ['taiwan', '台湾', 'Taiwan', ['台', '台湾省']],
  ['overseas', '海外', 'Overseas', ['国外', '境外', 'abroad', 'outside china']],
].map(([id, zh, en, aliases]) => ({ id, zh, en, aliases }) as Option);

const key = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.·,，。!！?？]+/g, '');

const words = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
/** Each option's names in matching form, worked out once per list. */
const prepared = new WeakMap<Option[], Array<{ option: Option; keys: string[]; latin: string[] }>>();
function namesOf(options: Option[]) {
  let list = prepared.get(options);
  if (!list) {
    list = options.map((option) => {
      const all = [option.id, option.zh, option.en, ...(option.aliases ?? [])];
      return { option, keys: all.map(key), latin: all.map(words) };
    });
    prepared.set(options, list);
  }
  return list;
}

/**
 * Finds the option a typed answer names: exactly (id, label in either language, alias), or else the
 * one whose longest name (two characters or more) the answer contains: "广东省深圳市" is Guangdong,
 * "中级工程师" is Intermediate. Two different options named equally long: no match.
 */
export function matchOption(options: Option[], text: string): Option | undefined {
  const k = key(text);
  if (!k) return undefined;
  const list = namesOf(options);
  const exact = list.find((o) => o.keys.includes(k));
  if (exact) return exact.option;
  const typed = ` ${words(text)} `;
  let best: { option: Option; length: number; tie: boolean } | undefined;
  for (const { option, keys, latin } of list) {
    for (const [i, n] of keys.entries()) {
      // Latin names match whole words; Han names need at least two characters.
      const found = /^[a-z0-9]+$/.test(n) ? typed.includes(` ${latin[i]} `) : n.length >= 2 && k.includes(n);
      if (!found || n.length < 2) continue;
      if (!best || n.length > best.length) best = { option, length: n.length, tie: false };
      else if (n.length === best.length && best.option !== option) best.tie = true;
    }
  }
  return best && !best.tie ? best.option : undefined;
}

export const optionLabel = (options: Option[]) => (value: string, lang: Lang) =>
  options.find((o) => o.id === value)?.[lang] ?? value;
