/**
 * Summary statistics for repeated benchmark runs. The median is the headline (robust to a GC pause
 * or a noisy neighbour); min and mean±std show the spread.
 */
import { cpus, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? s.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { n, median, min: s[0], max: s[n - 1], mean, std: Math.sqrt(variance) };
}

/** 1234567 -> "1,234,567"; small numbers keep `digits` decimals. */
export function fmt(v: number, digits = 0): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtBytes(b: number): string {
  const mb = b / (1024 * 1024);
  return `${mb.toFixed(1)} MB`;
}

/** The machine a benchmark ran on, in one line. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${process.platform}-${process.arch}`;
}

/** Render rows as a fixed-width table; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Run a measurement `runs` times after `warmup` discarded runs; returns each run's value. */
export function repeat(runs: number, warmup: number, measure: () => number): number[] {
  for (let i = 0; i < warmup; i++) measure();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(measure());
  return out;
}

/**
 * A full garbage collection, when one can be had: node's --expose-gc, or else the flag set at run
 * time (a fresh context then sees `gc`), so `npx tsx bench/x.ts` needs no extra flags.
 */
export const collect: () => void = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
})();

/**
 * Memory in use after a full collection: the V8 heap plus ArrayBuffer backing stores, which live
 * outside it (an index built on typed arrays would otherwise look free).
 */
export function heapUsed(): number {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
