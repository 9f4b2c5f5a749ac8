import type { RuleParams } from '../model';
import { DEFAULT_RULES } from '../rules';

/**
 * A detector's rule section, typed, with the defaults under it: merged rules always carry every section,
 * but a hand-built RuleParams (a test, an older stored override) may lack a section or a leaf.
 */
export function ruleSection<T>(rules: RuleParams, section: string): T {
  return { ...DEFAULT_RULES[section], ...rules[section] } as unknown as T;
}
