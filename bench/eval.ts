/**
 * `npm run eval`: how well the safety detectors work, measured rather than guessed.
 *
 * 1. A seeded suite of labelled, randomised scenarios (bench/scenarios/) played through the real per-tag
 *    pipeline with a tick every second: per detector, sensitivity, specificity, false alarms per hour of
 *    normal activity and detection delay (against the ground-truth time the alert is due).
 * 2. Falls on the SisFall development subset (read at run time from ../shared/data/sisfall-dev, never
 *    copied): every trial resampled to the product's sensor rate and fed through the same fall detector
 *    as fixes carrying one second of samples each.
 *
 * 2b. "On the floor" from noisy UWB heights (bench/scenarios/uwb.ts): every new episode type, per tag placement,
 *    on a development seed and a held-out one (seed + 1000) never looked at while tuning.
 *
 * Options: --seed N (default 42), --per N episodes per scenario variant (default 15), --floor-per N and
 * --floor-long N floor episodes per type and tag set (default 6, and 3 hour-long ones), --floor-only, --no-sisfall.
 */
import { cpus } from 'node:os';
import { resample } from '../geo/accel';
import type { FallAccelRules } from '../geo/detect/fall-accel';
import type { AlertKind, Fix } from '../geo/model';
import { DEFAULT_RULES } from '../geo/rules';
import { initialTagState, processFix } from '../geo/tag-step';
import { generateSuite, type Episode } from './scenarios/episodes';
import { room, scenarioResident, scenarioSite } from './scenarios/floor';
import { Rng } from '../geo/rng';
import { SAFETY_DETECTORS, runEpisode, scenarioWorld } from './scenarios/run';
import { FLOOR_TYPES, NOT_FLOOR_TYPES, generateFloorSuite, runFloorEpisode, type FloorEpisode } from './scenarios/uwb';
import { hasSisFall, readManifest, readTrial, SISFALL_HZ, sisfallDir, type SisFallTrial } from './scenarios/sisfall';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}% (${a}/${b})`);
const quantile = (v: number[], q: number) => {
  if (v.length === 0) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const fmtS = (x: number) => (Number.isNaN(x) ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`);

function table(rows: string[][]): string {
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ')).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// 1. Scenario suite

/** Rules whose alert is due at a threshold time (onset + N): delay must stay within +5 s of it. */
const THRESHOLD_GROUPS = new Set(['out_of_bed', 'bathroom_long', 'inactivity', 'tag_silent', 'exit_lingering']);

interface GroupStats {
  kind: AlertKind;
  pos: number;
  tp: number;
  neg: number;
  tn: number;
  falseAlarms: number;
  negHours: number;
  delays: number[];
  clears: number;
  clearsDue: number;
  notes: string[];
}

function scenarioSection(seed: number, per: number): void {
  const t0 = performance.now();
  const suite = generateSuite({ seed, perVariant: per });
  const stats = new Map<string, GroupStats>();
  const confusion: Record<string, Record<string, number>> = {};
  const patternDelays: Record<string, number[]> = {};
  let simulatedMs = 0;
  for (const e of suite) {
    simulatedMs += e.t1 - e.t0;
    const alerts = runEpisode(e);
    const mine = alerts.filter((a) => a.kind === e.kind && !a.clear && a.fixTs <= e.t1 + 10_000);
    const g: GroupStats = stats.get(e.group) ?? {
      kind: e.kind,
      pos: 0,
      tp: 0,
      neg: 0,
      tn: 0,
      falseAlarms: 0,
      negHours: 0,
      delays: [],
      clears: 0,
      clearsDue: 0,
      notes: [],
    };
    stats.set(e.group, g);
    if (e.positive) {
      g.pos++;
      // An alert well before the event is not a detection of it.
      const hit = mine.find((a) => a.fixTs >= (e.onset ?? e.t0) - 1000);
      if (hit) {
        g.tp++;
        const delay = (hit.fixTs - (e.expectAt ?? e.onset ?? e.t0)) / 1000;
        g.delays.push(delay);
        if (THRESHOLD_GROUPS.has(e.group) && delay > 5) g.notes.push(`late by ${delay.toFixed(1)} s: ${e.name}`);
      } else g.notes.push(`missed: ${e.name}`);
      if (e.clearAt !== undefined) {
        g.clearsDue++;
        if (alerts.some((a) => a.kind === e.kind && a.clear && a.fixTs >= e.clearAt! - 5000 && a.fixTs <= e.clearAt! + 30_000)) g.clears++;
      }
    } else {
      g.neg++;
      g.negHours += (e.t1 - e.t0) / 3_600_000;
      g.falseAlarms += mine.length;
      if (mine.length === 0) g.tn++;
      else g.notes.push(`false alarm: ${e.name}: ${mine[0].detail ?? ''}`);
    }
    if (e.group === 'wander_pattern') {
      const first = mine.find((a) => a.fixTs >= (e.onset ?? e.t0) - 1000);
      const named = first?.detail?.match(/restless: (\w+)/)?.[1] ?? 'no alert';
      const truth = e.positive ? e.truth! : e.truth === 'brisk' ? 'brisk round' : 'normal';
      if (e.positive && first) (patternDelays[e.truth!] ??= []).push((first.fixTs - (e.onset ?? e.t0)) / 1000);
      (confusion[truth] ??= {})[named] = (confusion[truth]?.[named] ?? 0) + 1;
    }
  }
  const ms = performance.now() - t0;
  console.log(
    `\n## Scenario suite: seed ${seed}, ${per} per variant, ${suite.length} episodes, ` +
      `${(simulatedMs / 3_600_000).toFixed(1)} h simulated (ticks every 1 s), ${(ms / 1000).toFixed(1)} s\n`,
  );
  const rows = [['detector', 'alert kind', 'pos', 'neg', 'sensitivity', 'specificity', 'false alarms/h', 'delay p50', 'p95', 'max (s)', 'auto-clear', '≤ due + 5 s']];
  for (const [group, g] of stats) {
    const threshold = THRESHOLD_GROUPS.has(group);
    const within = threshold ? pct(g.delays.filter((d) => d <= 5).length, g.delays.length) : 'n/a';
    rows.push([
      group,
      g.kind,
      String(g.pos),
      String(g.neg),
      pct(g.tp, g.pos),
      pct(g.tn, g.neg),
      g.negHours > 0 ? (g.falseAlarms / g.negHours).toFixed(2) : '—',
      fmtS(quantile(g.delays, 0.5)),
      fmtS(quantile(g.delays, 0.95)),
      fmtS(Math.max(...g.delays)),
      g.clearsDue ? pct(g.clears, g.clearsDue) : '—',
      within,
    ]);
  }
  console.log(table(rows));
  console.log(
    '\nDelay: from the time the alert is due (threshold rules: onset + threshold; falls, SOS, patterns: onset)' +
      ' to the fix or tick that raised it. Negative = slightly early (stillness measured from the first fix that moved).',
  );
  const names = ['pacing', 'lapping', 'random', 'no alert'];
  const crow = [['wander pattern: truth \\ alert', ...names]];
  for (const t of ['pacing', 'lapping', 'random', 'normal', 'brisk round']) crow.push([t, ...names.map((n) => String(confusion[t]?.[n] ?? 0))]);
  console.log('\n' + table(crow));
  const drow = [['wander pattern: delay after onset (s)', 'p50', 'p95', 'max']];
  for (const t of ['pacing', 'lapping', 'random']) {
    const d = patternDelays[t] ?? [];
    drow.push([t, fmtS(quantile(d, 0.5)), fmtS(quantile(d, 0.95)), d.length ? fmtS(Math.max(...d)) : '—']);
  }
  console.log('\n' + table(drow));
  const notes = [...stats.entries()].flatMap(([k, g]) => g.notes.map((n) => `  ${k}: ${n}`));
  if (notes.length) console.log(`\nMisses and false alarms (${notes.length}):\n${notes.slice(0, 25).join('\n')}${notes.length > 25 ? '\n  …' : ''}`);
}


// ---------------------------------------------------------------------------------------------------
// 2. On the floor, from noisy UWB heights

interface FloorRow {
  pos: number;
  tp: number;
  lyingRight: number;
  neg: number;
  tn: number;
  falseAlarms: number;
  negHours: number;
  delays: number[];
}

const newRow = (): FloorRow => ({ pos: 0, tp: 0, lyingRight: 0, neg: 0, tn: 0, falseAlarms: 0, negHours: 0, delays: [] });

function floorRows(episodes: FloorEpisode[], notes: string[], stateBytes: number[]): Map<string, FloorRow> {
  const rows = new Map<string, FloorRow>();
  const add = (key: string, f: (r: FloorRow) => void) => {
    const r = rows.get(key) ?? newRow();
    rows.set(key, r);
    f(r);
  };
  for (const e of episodes) {
    const sizes: number[] = [];
    const alerts = runFloorEpisode(e, sizes);
    stateBytes.push(Math.max(...sizes));
    const config = e.placements.join('+');
    const keys = [e.type, `all floor episodes, ${config} tag${e.placements.length > 1 ? 's' : ''}`];
    // A wrist alone cannot tell sitting on the ground from a hand on the lap: the body-worn figure apart.
    if (e.positive && !(e.placements.length === 1 && e.placements[0] === 'wrist')) keys.push(`${e.type}, body-worn tags`);
    if (!e.positive) keys[1] = `all other episodes, ${config} tag${e.placements.length > 1 ? 's' : ''}`;
    for (const key of keys) {
      add(key, (r) => {
        if (e.positive) {
          r.pos++;
          const hit = alerts.find((a) => a.fixTs >= e.onset - 1000);
          if (hit) {
            r.tp++;
            r.delays.push((hit.fixTs - e.onset) / 1000);
            if (hit.lying === e.lying) r.lyingRight++;
          } else if (key === e.type) notes.push(`missed: ${e.type} (${config})`);
        } else {
          r.neg++;
          r.negHours += (e.t1 - e.t0) / 3_600_000;
          r.falseAlarms += alerts.length;
          if (alerts.length === 0) r.tn++;
          else if (key === e.type) notes.push(`false alarm: ${e.type} (${config}): ${alerts[0].detail ?? 'fused'}`);
        }
      });
    }
  }
  return rows;
}

function floorSection(seed: number, per: number, long: number, label: string): void {
  const t0 = performance.now();
  const suite = generateFloorSuite({ seed, per, long });
  const notes: string[] = [];
  const stateBytes: number[] = [];
  const rows = floorRows(suite, notes, stateBytes);
  const hours = suite.reduce((h, e) => h + (e.t1 - e.t0) / 3_600_000, 0);
  const fixes = suite.reduce((n, e) => n + e.fixes.length, 0);
  console.log(
    `\n## On the floor from UWB heights (${label}): seed ${seed}, ${suite.length} episodes, ${hours.toFixed(1)} h, ` +
      `${fixes} fixes at 5–9 Hz per tag, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const out = [['episode', 'pos', 'neg', 'sensitivity', 'lying/sitting told', 'specificity', 'false alarms/h', 'per resident-day', 'delay p50', 'p95', 'max (s)']];
  const order = [...FLOOR_TYPES.flatMap((t) => [t, `${t}, body-worn tags`]), ...NOT_FLOOR_TYPES, ...[...rows.keys()].filter((k) => k.startsWith('all'))];
  for (const key of order) {
    const g = rows.get(key);
    if (!g) continue;
    const perH = g.negHours > 0 ? g.falseAlarms / g.negHours : Number.NaN;
    out.push([
      key,
      String(g.pos),
      String(g.neg),
      pct(g.tp, g.pos),
      g.pos ? pct(g.lyingRight, g.tp) : '—',
      pct(g.tn, g.neg),
      Number.isNaN(perH) ? '—' : perH.toFixed(3),
      Number.isNaN(perH) ? '—' : (perH * 24).toFixed(2),
      fmtS(quantile(g.delays, 0.5)),
      fmtS(quantile(g.delays, 0.95)),
      g.delays.length ? fmtS(Math.max(...g.delays)) : '—',
    ]);
  }
  console.log(table(out));
  const negDays = suite.filter((e) => !e.positive).reduce((h, e) => h + (e.t1 - e.t0) / 86_400_000, 0);
  const negAlarms = [...rows.entries()].filter(([k]) => k.startsWith('all other')).reduce((n, [, g]) => n + g.falseAlarms, 0);
  console.log(
    `\nOverall: ${negAlarms} false alarms in ${negDays.toFixed(2)} resident-days of normal activity (${(negAlarms / negDays).toFixed(2)} per resident-day); ` +
      `detector state (fall-height, one tag, JSON) at most ${Math.max(...stateBytes)} bytes, median ${quantile(stateBytes, 0.5)}.`,
  );
  if (notes.length) console.log(`\nMisses and false alarms (${notes.length}):\n${notes.slice(0, 20).map((n) => `  ${n}`).join('\n')}${notes.length > 20 ? '\n  …' : ''}`);
}

// ---------------------------------------------------------------------------------------------------
// 3. SisFall

/** SisFall's device: y is vertical (standing reads y ≈ −1 g). Rotations of how the tag may be worn. */
const ORIENTATIONS: { name: string; m: number[][] }[] = [
  { name: 'as recorded (upright)', m: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] },
  { name: 'upside down', m: [[1, 0, 0], [0, -1, 0], [0, 0, -1]] },
  { name: 'turned 90° about the vertical', m: [[0, 0, 1], [0, 1, 0], [-1, 0, 0]] },
  { name: 'on its side (90° about the front)', m: [[0, -1, 0], [1, 0, 0], [0, 0, 1]] },
];

const LYING_ADLS = ['D12', 'D13', 'D14'];

/** A uniformly random rotation (a tag worn any which way). */
function randomRotation(rng: Rng): number[][] {
  const [u1, u2, u3] = [rng.next(), rng.next(), rng.next()];
  const q = [
    Math.sqrt(1 - u1) * Math.sin(2 * Math.PI * u2),
    Math.sqrt(1 - u1) * Math.cos(2 * Math.PI * u2),
    Math.sqrt(u1) * Math.sin(2 * Math.PI * u3),
    Math.sqrt(u1) * Math.cos(2 * Math.PI * u3),
  ];
  const [x, y, z, w] = q;
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
  ];
}

interface TrialResult {
  trial: SisFallTrial;
  alerted: boolean;
  /** Seconds from the strongest impact of the trial to the alert. */
  delayS: number | null;
}

function runTrial(trial: SisFallTrial, samples200: number[][], rateHz: number, rotation?: number[][], where: 'corridor' | 'bed' = 'corridor'): TrialResult {
  let s = resample(samples200, SISFALL_HZ, rateHz);
  if (rotation) s = s.map((v) => rotation.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]) as [number, number, number]);
  const r = room('S', 3);
  const site = scenarioSite();
  const resident = scenarioResident(r, { fallRisk: true });
  const ctx = scenarioWorld(site, resident).context(resident.id)!;
  let state = initialTagState();
  const start = Date.UTC(2025, 0, 15, 2, 0, 0);
  let peak = 0;
  let peakAt = 0;
  for (let i = 0; i < s.length; i++) {
    const m = Math.hypot(s[i][0], s[i][1], s[i][2]);
    if (m > peak) {
      peak = m;
      peakAt = start + (i * 1000) / rateHz;
    }
  }
  let alertAt: number | null = null;
  // One fix per second, each carrying the samples of the second that ends at its ts.
  for (let i = 0; i < s.length; i += rateHz) {
    const chunk = s.slice(i, i + rateHz) as [number, number, number][];
    const fix: Fix = {
      tagId: 'T',
      ts: Math.round(start + ((i + chunk.length - 1) * 1000) / rateHz),
      floorId: 'F1',
      x: r[where][0],
      y: r[where][1],
      accuracy: 0.3,
      accel: { hz: rateHz, samples: chunk },
    };
    const step = processFix(state, fix, ctx, SAFETY_DETECTORS);
    state = step.state;
    if (alertAt === null && step.alerts.some((a) => a.kind === 'fall')) alertAt = fix.ts;
  }
  return { trial, alerted: alertAt !== null, delayS: alertAt === null ? null : (alertAt - peakAt) / 1000 };
}

function summarise(label: string, results: TrialResult[]): string[] {
  const falls = results.filter((r) => r.trial.fall);
  const adls = results.filter((r) => !r.trial.fall);
  return [label, pct(falls.filter((r) => r.alerted).length, falls.length), pct(adls.filter((r) => !r.alerted).length, adls.length)];
}

function sisfallSection(seed: number): void {
  const dir = sisfallDir();
  if (!hasSisFall(dir)) {
    console.log(`\n## SisFall: ${dir} not found — section skipped.`);
    return;
  }
  const rules = DEFAULT_RULES.fallAccel as unknown as FallAccelRules;
  const trials = readManifest(dir);
  const t0 = performance.now();
  const rng = new Rng(seed);
  const plain: TrialResult[] = [];
  const rotated: TrialResult[] = [];
  const byOrientation = ORIENTATIONS.map(() => [] as TrialResult[]);
  const inBed: TrialResult[] = [];
  for (const t of trials) {
    const samples = readTrial(t, dir);
    plain.push(runTrial(t, samples, rules.rateHz));
    rotated.push(runTrial(t, samples, rules.rateHz, randomRotation(rng)));
    ORIENTATIONS.forEach((o, i) => byOrientation[i].push(i === 0 ? plain[plain.length - 1] : runTrial(t, samples, rules.rateHz, o.m)));
    // Lying down and turning over happen on a bed: the same trials with the tag in the bed zone.
    if (LYING_ADLS.includes(t.activity)) inBed.push(runTrial(t, samples, rules.rateHz, undefined, 'bed'));
  }
  const ms = performance.now() - t0;
  console.log(
    `\n## Falls on SisFall (development subset: ${trials.length} trials, ${new Set(trials.map((t) => t.subject)).size} subjects), ` +
      `ADXL345 resampled 200 → ${rules.rateHz} Hz (rule fallAccel.rateHz), 1 s of samples per fix, ${(ms / 1000).toFixed(1)} s\n`,
  );
  const rows = [['trials', 'sensitivity (falls)', 'specificity (ADLs)']];
  rows.push(summarise('all subjects', plain));
  rows.push(summarise('young adults SA01–SA07', plain.filter((r) => !r.trial.elderly)));
  rows.push(summarise('elderly SE01–SE04 (ADLs only)', plain.filter((r) => r.trial.elderly)));
  for (const code of ['D11', 'D13', 'D18', 'D19']) {
    const desc = trials.find((t) => t.activity === code)?.description ?? '';
    rows.push(summarise(`hard negative ${code} (${desc.slice(0, 34)})`, plain.filter((r) => r.trial.activity === code)));
  }
  rows.push(summarise('hard negatives D11+D13+D18+D19', plain.filter((r) => ['D11', 'D13', 'D18', 'D19'].includes(r.trial.activity))));
  const firstHalf = new Set(['SA01', 'SA02', 'SA03', 'SA04', 'SE01', 'SE02']);
  rows.push(summarise('subjects SA01–04, SE01–02', plain.filter((r) => firstHalf.has(r.trial.subject))));
  rows.push(summarise('subjects SA05–07, SE03–04', plain.filter((r) => !firstHalf.has(r.trial.subject))));
  rows.push(summarise('all, tag worn in a random orientation', rotated));
  rows.push(summarise(`lying ADLs ${LYING_ADLS.join('+')} in the corridor`, plain.filter((r) => LYING_ADLS.includes(r.trial.activity))));
  rows.push(summarise(`lying ADLs ${LYING_ADLS.join('+')} in the bed zone`, inBed));
  console.log(table(rows));
  const orient = [['worn', 'sensitivity (falls)', 'specificity (ADLs)', 'elderly ADLs', 'D14 turning over', 'F05+F10+F11+F13']];
  ORIENTATIONS.forEach((o, i) => {
    const r = byOrientation[i];
    const [, sens, spec] = summarise(o.name, r);
    const eld = summarise('', r.filter((x) => x.trial.elderly))[2];
    const d14 = summarise('', r.filter((x) => x.trial.activity === 'D14'))[2];
    const hard = summarise('', r.filter((x) => ['F05', 'F10', 'F11', 'F13'].includes(x.trial.activity)))[1];
    orient.push([o.name, sens, spec, eld, d14, hard]);
  });
  console.log(`\nThe same trials with the tag worn four ways (the detector uses only magnitudes and angles between gravity directions):\n${table(orient)}`);
  const delays = plain.filter((r) => r.trial.fall && r.delayS !== null).map((r) => r.delayS!);
  console.log(
    `\nDelay from the strongest impact of a fall trial to the alert: median ${quantile(delays, 0.5).toFixed(1)} s, ` +
      `p95 ${quantile(delays, 0.95).toFixed(1)} s, max ${Math.max(...delays).toFixed(1)} s (impact, then ${(rules.postEndMs / 1000).toFixed(1)} s to judge posture and stillness, then the fix that carries it).`,
  );
  const wrong = plain.filter((r) => r.alerted !== r.trial.fall).map((r) => `  ${r.trial.fall ? 'missed fall' : 'false alarm'}: ${r.trial.file} (${r.trial.description})`);
  if (wrong.length) console.log(`\nErrors:\n${wrong.join('\n')}`);
}

// ---------------------------------------------------------------------------------------------------

const seed = arg('seed', 42);
const per = arg('per', 15);
console.log(`# carewatch safety detectors — evaluation`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`);
if (!process.argv.includes('--floor-only')) scenarioSection(seed, per);
floorSection(seed, arg('floor-per', 6), arg('floor-long', 3), 'development seed');
floorSection(seed + 1000, arg('floor-per', 6), arg('floor-long', 3), 'held-out seed');
if (!process.argv.includes('--no-sisfall')) sisfallSection(seed);
export type { Episode };
