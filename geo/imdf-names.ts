/**
 * Names in IMDF archives: `LABELS` objects keyed by language tag. Real archives carry several languages, none,
 * or the authoring tool's placeholder ("input name here") on every feature; a placeholder is no name at all.
 */

export interface PickedName {
  /** Chinese, else English, else any language the label has. */
  name?: string;
  /** The Chinese name, when there is one. */
  nameZh?: string;
  /** The English name, when there is one (kept for the English UI). */
  nameEn?: string;
  /** The label held only a placeholder, which was dropped. */
  placeholder?: string;
}

/** Placeholder texts authoring tools leave behind, compared trimmed and lower case. */
const PLACEHOLDER = /^(input name here|enter name( here)?|name here|insert name|type name|unnamed|untitled|no ?name|name|none|null|undefined|n\/?a|tbd|todo|x+|-+|\?+|\.+|请输入名称|未命名|名称)$/;

export function isPlaceholderName(s: string): boolean {
  return PLACEHOLDER.test(s.trim().toLowerCase());
}

/** Language tags in order of preference within one language (zh-Hans before zh-Hant...). */
function byLanguage(labels: Record<string, unknown>, lang: 'zh' | 'en'): string | undefined {
  const tags = Object.keys(labels).filter((k) => k.toLowerCase() === lang || k.toLowerCase().startsWith(`${lang}-`));
  const rank = (k: string) => {
    const t = k.toLowerCase();
    if (lang === 'zh') return t.includes('hans') || t.endsWith('-cn') || t.endsWith('-sg') ? 0 : t === 'zh' ? 1 : 2;
    return t === 'en' ? 0 : 1;
  };
  tags.sort((a, b) => rank(a) - rank(b));
  for (const k of tags) {
    const v = labels[k];
    if (typeof v === 'string' && v.trim() && !isPlaceholderName(v)) return v.trim();
  }
  return undefined;
}

/** The name to show from an IMDF label object (or a bare string, which some exporters write). */
export function pickName(v: unknown): PickedName {
  const labels: Record<string, unknown> | null =
    typeof v === 'string' ? { und: v } : v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  if (!labels) return {};
  const zh = byLanguage(labels, 'zh');
  const en = byLanguage(labels, 'en');
  const texts = Object.values(labels).filter((x): x is string => typeof x === 'string' && x.trim().length > 0);
  const any = texts.find((x) => !isPlaceholderName(x))?.trim();
  const out: PickedName = {};
  const name = zh ?? en ?? any;
  if (name) out.name = name;
  if (zh) out.nameZh = zh;
  if (en) out.nameEn = en;
  if (!name && texts.length > 0) out.placeholder = texts[0].trim();
  return out;
}

/** A readable name for a feature without one: its category in both languages and a running number. */
const CATEGORY_NAMES: Record<string, [string, string]> = {
  room: ['Room', '房间'],
  bedroom: ['Bedroom', '卧室'],
  office: ['Office', '办公室'],
  restroom: ['Restroom', '卫生间'],
  shower: ['Shower', '淋浴间'],
  elevator: ['Lift', '电梯'],
  stairs: ['Stairs', '楼梯'],
  escalator: ['Escalator', '自动扶梯'],
  walkway: ['Corridor', '走廊'],
  kitchen: ['Kitchen', '厨房'],
  nonpublic: ['Staff only', '非公共区域'],
  lounge: ['Lounge', '休息室'],
  foodservice: ['Dining', '餐厅'],
  unspecified: ['Area', '区域'],
};

export function fallbackName(category: string, n: number): { name: string; nameZh: string } {
  const base = category.split('.')[0];
  const [en, zh] = CATEGORY_NAMES[base] ?? [base.charAt(0).toUpperCase() + base.slice(1), CATEGORY_NAMES.unspecified[1]];
  return { name: `${en} ${n}`, nameZh: `${zh} ${n}` };
}
