import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../server/auth/password-policy';
import { GRANTS } from '../../server/auth/scope';
import { base32Decode, base32Encode, hotp, matchTotp, totp } from '../../server/auth/totp';

describe('TOTP follows RFC 6238', () => {
  const secret = Buffer.from('12345678901234567890');
  it('matches the RFC test vectors (SHA-1, 8 digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [t, code] of vectors) expect(hotp(secret, Math.floor(t / 30), 8)).toBe(code);
  });
  it('round-trips base32 and accepts a code one step either side, not two', () => {
    const b32 = base32Encode(secret);
    expect(b32).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(b32)).toEqual(secret);
    const now = 1_700_000_000_000;
    expect(matchTotp(b32, totp(b32, now), now)).not.toBeNull();
    expect(matchTotp(b32, totp(b32, now - 30_000), now)).not.toBeNull();
    expect(matchTotp(b32, totp(b32, now + 30_000), now)).not.toBeNull();
    expect(matchTotp(b32, totp(b32, now - 60_000), now)).toBeNull();
    expect(matchTotp(b32, '12345', now)).toBeNull();
    expect(matchTotp(b32, 'abcdef', now)).toBeNull();
  });
});

describe('the password policy', () => {
  it('refuses demo, default, short, repetitive and username-bearing passwords', () => {
    for (const pw of ['admin-demo', 'nurse-demo', 'password', 'Password1234', 'changeme123', '123456789012', 'aaaaaaaaaaaaaaaaaaaa', 'abababababab', 'short', 'my-nurse-demo-pass'])
      expect(passwordProblem(pw), pw).not.toBeNull();
    expect(passwordProblem('zhang-wei-secret-77', 'zhang-wei')).toMatch(/username/);
  });
  it('accepts a long passphrase', () => {
    expect(passwordProblem('violet-harbour-kettle-42', 'nurse')).toBeNull();
    expect(passwordProblem('淮南 养老院 夜班 2026 安全')).toBeNull();
  });
});

describe('the grants table', () => {
  it('gives regulators aggregates only, family no handling, and configuration to admins alone', () => {
    expect([...GRANTS.regulator].sort()).toEqual(['overview.read', 'site.read']);
    expect(GRANTS.family.has('alert.handle')).toBe(false);
    expect(GRANTS.family.has('resident.track')).toBe(false);
    for (const role of ['nurse', 'charge_nurse', 'manager', 'family', 'regulator'] as const)
      for (const a of ['account.manage', 'key.manage', 'resident.export', 'resident.create'] as const) expect(GRANTS[role].has(a), `${role} ${a}`).toBe(false);
  });
});
