import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * TOTP (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps, 6 digits — what every
 * authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP, 1Password) speaks.
 * Forty lines of node:crypto instead of a dependency.
 */
export const TOTP_STEP_S = 30;
export const TOTP_DIGITS = 6;
/** Codes one step either side are accepted: phone clocks drift and people type slowly. */
const WINDOW = 1;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(s: string): Buffer {
  const clean = s.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new Error('not base32');
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new shared secret, 160 bits (RFC 4226's recommendation), base32 as apps expect it. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function hotp(secret: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(msg).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return code.toString().padStart(digits, '0');
}

export function totpStep(now: number): number {
  return Math.floor(now / 1000 / TOTP_STEP_S);
}

export function totp(secretB32: string, now: number): string {
  return hotp(base32Decode(secretB32), totpStep(now));
}

/**
 * The step a code matches within the window, or null. The caller refuses a step at or before
 * the last one used, so an observed code cannot be replayed.
 */
export function matchTotp(secretB32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const secret = base32Decode(secretB32);
  const step = totpStep(now);
  const given = Buffer.from(code);
  for (let d = -WINDOW; d <= WINDOW; d++) {
    if (timingSafeEqual(Buffer.from(hotp(secret, step + d)), given)) return step + d;
  }
  return null;
}

/** The otpauth:// URI authenticator apps read from a QR code. */
export function totpUri(secretB32: string, username: string, issuer = 'carewatch'): string {
  const label = encodeURIComponent(`${issuer}:${username}`);
  return `otpauth://totp/${label}?secret=${secretB32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_STEP_S}`;
}
