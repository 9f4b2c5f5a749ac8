/**
 * What a password must be before it protects the location of people with dementia: long enough,
 * not a demo or well-known default, not the username. Length beats composition rules (NIST SP
 * 800-63B §5.1.1.2): 12 characters at least, checked against a short list of passwords that the
 * demo, the README and attackers all know.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Passwords published with this product (demo mode) — never valid for a real account. */
export const DEMO_PASSWORDS = ['admin-demo', 'nurse-demo', 'manager-demo', 'family-demo', 'regulator-demo', 'charge_nurse-demo'];

const KNOWN_BAD = new Set(
  [
    ...DEMO_PASSWORDS,
    'demo-gateway-key',
    'password',
    'password1',
    'password123',
    'password1234',
    'passw0rd',
    'changeme',
    'changeme123',
    'admin',
    'admin123',
    'admin1234',
    'administrator',
    'root',
    'toor',
    'default',
    'secret',
    'letmein',
    'welcome',
    'welcome123',
    'qwerty',
    'qwertyuiop',
    'qwerty123456',
    'iloveyou',
    'carewatch',
    'carewatch123',
    '123456',
    '12345678',
    '123456789',
    '1234567890',
    '123456789012',
    '1q2w3e4r5t6y',
    '1qaz2wsx3edc',
    'abc123',
    'abcdefghijkl',
    'a1b2c3d4e5f6',
    'p@ssw0rd',
    'p@ssword123',
  ].map((p) => p.toLowerCase()),
);

/** Why the password is not acceptable, or null when it is. */
export function passwordProblem(password: string, username?: string): string | null {
  const lower = password.toLowerCase();
  if (KNOWN_BAD.has(lower) || [...KNOWN_BAD].some((bad) => bad.length >= 8 && lower.startsWith(bad) && lower.length - bad.length <= 4))
    return 'is a demo, default or commonly used password';
  if (lower.includes('-demo')) return 'looks like a demo password';
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 5) return 'uses too few different characters';
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) return 'must not contain the username';
  return null;
}
