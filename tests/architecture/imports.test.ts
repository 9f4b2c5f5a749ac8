import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Relative specifiers of every static import, re-export and dynamic import of a file, resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm)) {
    out.push(relative(ROOT, resolve(ROOT, dirname(file), m[1])).split(sep).join('/'));
  }
  return out;
}

/** The unit a file belongs to inside server/: its folder, or the file itself when it sits at the top. */
function unitOf(path: string): string | null {
  const parts = path.replace(/\.tsx?$/, '').split('/');
  if (parts[0] !== 'server' || parts.length < 2) return null;
  return parts.length === 2 ? parts[1] : `${parts[1]}/`;
}

/** Every cycle between units, each reported once as the path that closes it. */
function unitCycles(edges: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (u: string) => {
    state.set(u, 'open');
    stack.push(u);
    for (const v of edges.get(u) ?? []) {
      if (state.get(v) === 'open') {
        const cycle = stack.slice(stack.indexOf(v)).concat(v);
        const key = [...cycle.slice(0, -1)].sort().join(' ');
        if (!seen.has(key)) (seen.add(key), cycles.push(cycle));
      } else if (!state.has(v)) visit(v);
    }
    stack.pop();
    state.set(u, 'done');
  };
  for (const u of [...edges.keys()].sort()) if (!state.has(u)) visit(u);
  return cycles;
}

describe('the shape of the code', () => {
  it('has no import cycle between the folders (and top-level files) of server/', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of sources('server')) {
      const from = unitOf(file)!;
      for (const target of importsOf(file)) {
        const to = unitOf(target);
        if (!to || to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    expect(edges.size).toBeGreaterThan(5);
    expect(unitCycles(edges).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('lets the client import nothing from server/ but the contract module', () => {
    const reaching = sources('client/src').flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('server/') && target !== 'server/contract')
        .map((target) => `${file} imports ${target}`),
    );
    expect(reaching).toEqual([]);
  });

  it('keeps geo/ pure: no node:* module, no server, no framework', () => {
    const impure = sources('geo').flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return [...text.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)]
        .map((m) => m[1])
        .filter((spec) => spec.startsWith('node:') || /^(express|socket\.io|pg|ioredis|mqtt|pino)\b/.test(spec) || importsOfSpec(file, spec).startsWith('server/'))
        .map((spec) => `${file} imports ${spec}`);
    });
    expect(impure).toEqual([]);
  });
});

function importsOfSpec(file: string, spec: string): string {
  return spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)).split(sep).join('/') : spec;
}
