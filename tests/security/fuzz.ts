/**
 * Seeded payload mutation for the fuzz test: valid fixes and bodies, then type swaps, deletions,
 * huge values, deep nesting, prototype-pollution keys, unicode and broken JSON text.
 */

/** mulberry32: small, fast, good enough to drive a fuzzer, and the same sequence for a seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf', 'isAdmin', 'role'];

const UNICODE = [
  '王伟',
  '😀👵🏻🚪',
  '\u202Eevil\u202C',
  'zero\u200Bwidth',
  'nul\u0000byte',
  '\uD800',
  '\uDFFF\uD800',
  'Ω≈ç√∫˜µ≤≥÷',
  'ﷺ',
  '\r\n\t',
  "'; DROP TABLE alerts; --",
  '<script>alert(1)</script>',
  '${7*7}',
  '../../etc/passwd',
  '%00',
  'a'.repeat(65),
];

export function weirdValue(r: Rng): unknown {
  switch (r.int(16)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1, -0, 0.5, 2 ** 53 + 1, -(2 ** 53), 1e308, -1e308, 5e-324, 1e21, 4294967296]);
    case 3:
      return r.pick(['', 'NaN', 'Infinity', '-Infinity', '1e999', 'null', 'undefined', 'true', '0x10', ' 12 ', '1,5']);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return 'x'.repeat(r.pick([65, 257, 2001, 10_000, 40_000]));
    case 7:
      return r.pick(UNICODE);
    case 8:
      return Array.from({ length: r.int(50) }, () => r.int(1000));
    case 9:
      return { [r.pick(POLLUTION_KEYS)]: { polluted: true, isAdmin: true } };
    case 10:
      return nest(r.int(2000) + 10, r.chance(0.5));
    case 11:
      return new Date(r.pick([0, -1, 8.64e15, 253402300799999, Date.now() + 1e12])).toISOString?.() ?? 'x';
    case 12:
      return Date.now() + r.pick([-1e12, -86400_001, -1, 0, 1, 30_001, 1e12]);
    case 13:
      return Array.from({ length: 3 }, () => [r.int(5), 'a', null]);
    case 14:
      return r.pick(['sos', 'fall', 'tamper', 'button', 'SOS', 'party', '__proto__', 'constructor']);
    default:
      return r.pick(['T1', 'T2', 'T3', 'f1', 'out', 'tiny', 'w1', 'r1', 'R1', 'R2', 'admin']);
  }
}

function nest(depth: number, arrays: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
}

/** One to three structural mutations of a plain JSON value. */
export function mutate(r: Rng, value: unknown): unknown {
  let v = structuredClone(value);
  const times = 1 + r.int(3);
  for (let i = 0; i < times; i++) v = mutateOnce(r, v);
  return v;
}

function mutateOnce(r: Rng, v: unknown): unknown {
  if (Array.isArray(v)) {
    if (v.length === 0 || r.chance(0.15)) return r.chance(0.5) ? weirdValue(r) : [...v, weirdValue(r)];
    const i = r.int(v.length);
    const out = [...v];
    if (r.chance(0.1)) out.splice(i, 1);
    else if (r.chance(0.1)) out.push(...Array.from({ length: r.int(30) }, () => structuredClone(v[i])));
    else out[i] = mutateOnce(r, out[i]);
    return out;
  }
  if (v && typeof v === 'object') {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const roll = r.int(10);
    if (roll === 0 && keys.length) delete o[r.pick(keys)];
    else if (roll === 1) Object.defineProperty(o, r.pick(POLLUTION_KEYS), { value: weirdValue(r), enumerable: true, configurable: true, writable: true });
    else if (roll === 2) o[r.pick(UNICODE)] = weirdValue(r);
    else if (keys.length) {
      const k = r.pick(keys);
      o[k] = r.chance(0.7) ? weirdValue(r) : mutateOnce(r, o[k]);
    }
    return o;
  }
  return weirdValue(r);
}

/** Body text: usually the JSON of the value, sometimes broken text or literals JSON cannot carry. */
export function bodyText(r: Rng, value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  switch (r.int(14)) {
    case 0:
      return text.slice(0, r.int(text.length));
    case 1:
      return text.replace(/\d+(\.\d+)?/, r.pick(['NaN', 'Infinity', '1e999', '-1e999', '0x1F', '01', '.5']));
    case 2: {
      const at = r.int(text.length + 1);
      return text.slice(0, at) + r.pick(['"', '{', ']', ',', '\\', '\u0000', '}}}', ':']) + text.slice(at);
    }
    case 3:
      // a key twice: the last one wins in JSON.parse; make sure nothing trusts the first
      return text.replace(/^\{/, '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":true}},');
    default:
      return text;
  }
}
