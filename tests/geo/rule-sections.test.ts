import { describe, expect, it } from 'vitest';
import { ruleReader } from '../../geo/detect/params';
import { DEFAULT_RULES } from '../../geo/rules';

describe('rule sections', () => {
  it('are named from the defaults, so a misspelt section does not compile', () => {
    const read = ruleReader<{ enabled: boolean; minutes: number }>('bathroomLong');
    expect(read(DEFAULT_RULES).minutes).toBe(15);
    // @ts-expect-error 'bathroomLongg' is not a rule section (npm run typecheck fails if this compiles)
    const misspelt = ruleReader<{ enabled: boolean }>('bathroomLongg');
    expect(misspelt(DEFAULT_RULES)).toEqual({});
  });
});
