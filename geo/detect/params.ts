import type { RuleParams } from '../model';
import { DEFAULT_RULES, type RuleSectionName } from '../rules';

interface Merged {
  /** The section of the rules it was merged from (a replaced section is merged again). */
  from: unknown;
  section: unknown;
}

/** Where a rules object keeps its merged sections: a non-enumerable symbol, so JSON and spreads never see it. */
const MERGED = Symbol('merged rule sections');
type WithMerged = RuleParams & { [MERGED]?: Record<string, Merged | undefined> };

/**
 * A detector's rule section, typed, with the defaults under it: merged rules always carry every section,
 * but a hand-built RuleParams (a test, an older stored override) may lack a section or a leaf.
 *
 * Every detector reads its section on every fix, so a section is merged once per rules object (rules are
 * read-only: a change of rules is a new RuleParams, as World.upsertResident makes) and kept beside it;
 * callers must not modify the result.
 */
export function ruleSection<T>(rules: RuleParams, section: RuleSectionName): T {
  const from = rules[section];
  let cache = (rules as WithMerged)[MERGED];
  const hit = cache?.[section];
  if (hit !== undefined && hit.from === from) return hit.section as T;
  const s = { ...DEFAULT_RULES[section], ...from };
  if (!cache && Object.isExtensible(rules)) {
    cache = {};
    Object.defineProperty(rules, MERGED, { value: cache, enumerable: false });
  }
  if (cache) cache[section] = { from, section: s };
  return s as unknown as T;
}

/**
 * A reader of one section for a detector: `ruleSection` remembered for the last rules object asked about.
 * Residents without overrides of their own share their site's rules object (World), so on a fix the
 * section is almost always the one the reader returned last: no lookup at all.
 */
export function ruleReader<T>(section: RuleSectionName): (rules: RuleParams) => T {
  let lastRules: RuleParams | null = null;
  let last: T | undefined;
  return (rules) => {
    if (rules !== lastRules) {
      last = ruleSection<T>(rules, section);
      lastRules = rules;
    }
    return last as T;
  };
}
