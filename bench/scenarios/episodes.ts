/**
 * Labelled, randomised episodes for every safety detector: positions, durations, speeds, noise and report
 * rates drawn from a seed. Each episode says which alert kind it tests, whether that alert is expected,
 * and from when (the ground truth), so the evaluation can measure sensitivity, specificity and delay.
 */
import type { AlertKind, Fix, Resident, RuleOverrides, Site } from '../../geo/model';
import { utcOffsetMs } from '../../geo/night-window';
import { DEFAULT_RULES } from '../../geo/rules';
import { EAST_DOOR_APPROACH, LOUNGE, LOUNGE_DOOR, ROOMS, RING, floorZones, room, scenarioResident, scenarioSite, type RoomGeometry } from './floor';
import { Track, ringPath, sampleFixes, type FixOptions, type P } from './motion';
import { Rng } from '../../geo/rng';

export interface Episode {
  /** The detector family evaluated (a row of the table). */
  group: string;
  kind: AlertKind;
  positive: boolean;
  name: string;
  /** For wandering: the pattern walked. */
  truth?: string;
  site: Site;
  resident: Resident;
  fixes: Fix[];
  /** Fixes at or after this time carry escorted = true (until escortUntil). */
  escortFrom?: number;
  escortUntil?: number;
  t0: number;
  t1: number;
  /** The earliest time a correct alert may fire (onset plus the rule's threshold); delay is measured from it. */
  expectAt?: number;
  /** When the event began (fall impact, wandering start). */
  onset?: number;
  /** Expected auto-clear time (the condition ended by itself). */
  clearAt?: number;
}

const num = (section: string, key: string) => DEFAULT_RULES[section][key] as number;
const OUT_OF_BED_MIN = num('outOfBed', 'minutes');
const BATHROOM_MIN = num('bathroomLong', 'minutes');
const INACTIVITY_NIGHT_MIN = num('inactivity', 'nightMinutes');
const INACTIVITY_DAY_MIN = num('inactivity', 'dayMinutes');
const SILENT_S = num('tagSilent', 'seconds');
const LINGER_S = num('exitLingering', 'dwellS');
const LINGER_R = num('exitLingering', 'radiusM');
const LOW_PCT = num('lowBattery', 'lowPct');
const CLEAR_PCT = num('lowBattery', 'clearPct');

/** Epoch ms of a local wall-clock time (minutes after midnight of `date`, may exceed 24 h) in `tz`. */
export function localTime(date: string, minutes: number, tz: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000;
  let ts = wall - utcOffsetMs(wall, tz);
  ts = wall - utcOffsetMs(ts, tz);
  return ts;
}

/** Nights: Shanghai (the sample site) and Berlin, including both of its daylight-saving nights of 2025. */
const NIGHTS: { tz: string; date: string }[] = [
  { tz: 'Asia/Shanghai', date: '2025-01-15' },
  { tz: 'Asia/Shanghai', date: '2025-06-10' },
  { tz: 'Europe/Berlin', date: '2025-03-29' },
  { tz: 'Europe/Berlin', date: '2025-10-25' },
  { tz: 'Europe/Berlin', date: '2025-07-01' },
];

function nightStart(rng: Rng, latestMin = 4 * 60): { site: Site; t0: number } {
  const n = rng.pick(NIGHTS);
  // 22:30 .. 04:00 local
  const minutes = rng.range(22.5 * 60, 24 * 60 + latestMin);
  return { site: scenarioSite(n.tz), t0: localTime(n.date, minutes, n.tz) };
}

function dayStart(rng: Rng): { site: Site; t0: number } {
  const n = rng.pick(NIGHTS);
  return { site: scenarioSite(n.tz), t0: localTime(n.date, rng.range(9 * 60, 15 * 60), n.tz) };
}

function anyRoom(rng: Rng): RoomGeometry {
  return room(rng.pick(['S', 'N'] as const), rng.int(0, ROOMS - 1));
}

function rtls(rng: Rng, extra: Partial<FixOptions> = {}): FixOptions {
  return {
    sigma: rng.range(0.15, 0.4),
    movingS: rng.pick([1, 1, 0.5, 2]),
    stillS: rng.pick([1, 2, 5, 10]),
    outlier: 0.01,
    ...extra,
  };
}

const walkSpeed = (rng: Rng) => rng.range(0.35, 1.0);

/** Bed -> bedside -> door -> corridor. */
function bedToCorridor(r: RoomGeometry): P[] {
  return [r.bedside, r.door, r.corridor];
}

function bedToBathroom(r: RoomGeometry): P[] {
  const doorY = r.side === 'S' ? 2.3 : 24 - 2.3;
  return [r.bedside, [r.bathroom[0], doorY], r.bathroom];
}

function bathroomToBed(r: RoomGeometry): P[] {
  return [...bedToBathroom(r).reverse().slice(1), r.bed];
}

/** First time after `from` the track is outside (or inside, with `enter`) a zone's bounding rectangle. */
function crossing(track: Track, zoneId: string, from: number, to: number, enter: boolean): number {
  const z = floorZones().find((q) => q.id === zoneId)!;
  const xs = z.polygon[0].map((p) => p[0]);
  const ys = z.polygon[0].map((p) => p[1]);
  const inside = (p: P) => p[0] > Math.min(...xs) && p[0] < Math.max(...xs) && p[1] > Math.min(...ys) && p[1] < Math.max(...ys);
  for (let t = from; t <= to; t += 100) if (inside(track.pos(t)) === enter) return t;
  return to;
}

// ---------------------------------------------------------------------------------------------------
// Night: out of bed, bathroom, inactivity

function outOfBed(rng: Rng, positive: boolean): Episode {
  const { site, t0 } = nightStart(rng, 3.5 * 60);
  const r = anyRoom(rng);
  const track = new Track(r.bed, t0).pause(rng.range(120, 300));
  const leave = track.end;
  const v = walkSpeed(rng);
  const outMin = positive ? rng.range(OUT_OF_BED_MIN + 1, OUT_OF_BED_MIN + 25) : rng.range(2, OUT_OF_BED_MIN - 2);
  const variant = rng.pick(['bathroom', 'lounge', 'corridor'] as const);
  if (variant === 'bathroom') {
    track.walkPath(bedToBathroom(r), v);
    const walkBack = 8 / v;
    track.pause(Math.max(10, outMin * 60 - 2 * walkBack));
    track.walkPath(bathroomToBed(r), v);
  } else if (variant === 'lounge') {
    const toLounge = [...bedToCorridor(r), ...ringPath(r.corridor, [9.25, 12]), LOUNGE_DOOR, [rng.range(2, 6), rng.range(8, 16)] as P];
    const t = new Track(r.bed, 0).walkPath(toLounge, v).end / 1000;
    track.walkPath(toLounge, v);
    track.pause(Math.max(10, outMin * 60 - 2 * t));
    track.walkPath([...toLounge].reverse().slice(1), v).walk(r.bed, v);
  } else {
    const to = [...bedToCorridor(r), [r.corridor[0] + rng.range(-4, 4), r.corridor[1]] as P];
    const t = new Track(r.bed, 0).walkPath(to, v).end / 1000;
    track.walkPath(to, v).pause(Math.max(10, outMin * 60 - 2 * t));
    track.walkPath([...to].reverse().slice(1), v).walk(r.bed, v);
  }
  track.pause(rng.range(60, 180));
  const exitAt = crossing(track, r.bedZoneId, leave, track.end, false);
  const returnAt = crossing(track, r.bedZoneId, exitAt + 5000, track.end, true);
  return {
    group: 'out_of_bed',
    kind: 'out_of_bed',
    positive: returnAt - exitAt > OUT_OF_BED_MIN * 60_000 && positive,
    name: `night, out of bed ${outMin.toFixed(0)} min (${variant})`,
    site,
    resident: scenarioResident(r),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng)),
    t0,
    t1: track.end,
    expectAt: exitAt + OUT_OF_BED_MIN * 60_000,
    onset: exitAt,
    clearAt: returnAt,
  };
}

function asleepAllNight(rng: Rng, group: 'out_of_bed' | 'inactivity' | 'bathroom_long'): Episode {
  const { site, t0 } = nightStart(rng, 2 * 60);
  const r = anyRoom(rng);
  const track = new Track(r.bed, t0);
  // turning over now and then: small moves within the bed
  const end = t0 + rng.range(90, 180) * 60_000;
  while (track.end < end) {
    track.pause(rng.range(600, 2400));
    track.walk([r.bed[0] + rng.range(-0.3, 0.3), r.bed[1] + rng.range(-0.5, 0.5)], 0.2);
  }
  return {
    group,
    kind: group,
    positive: false,
    name: 'asleep in bed all night',
    site,
    resident: scenarioResident(r, { fallRisk: true }),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng, { stillS: rng.pick([5, 10, 30]) })),
    t0,
    t1: track.end,
  };
}

function outOfBedByDay(rng: Rng): Episode {
  const { site, t0 } = dayStart(rng);
  const r = anyRoom(rng);
  const v = walkSpeed(rng);
  const track = new Track(r.bed, t0).pause(120).walkPath([...bedToCorridor(r), ...ringPath(r.corridor, [9.25, 12]), LOUNGE_DOOR, [4, 12]], v);
  track.pause(rng.range(30, 60) * 60);
  return {
    group: 'out_of_bed',
    kind: 'out_of_bed',
    positive: false,
    name: 'out of bed by day (lounge, 30–60 min)',
    site,
    resident: scenarioResident(r),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng)),
    t0,
    t1: track.end,
  };
}

function bathroom(rng: Rng, positive: boolean): Episode {
  const { site, t0 } = nightStart(rng, 3.5 * 60);
  const r = anyRoom(rng);
  const v = walkSpeed(rng);
  const inMin = positive ? rng.range(BATHROOM_MIN + 1, BATHROOM_MIN + 20) : rng.range(2, BATHROOM_MIN - 3);
  const track = new Track(r.bed, t0).pause(rng.range(120, 300)).walkPath(bedToBathroom(r), v);
  const arrive = track.end;
  track.pause(inMin * 60).walkPath(bathroomToBed(r), v).pause(rng.range(60, 180));
  const enterAt = crossing(track, r.bathroomZoneId, t0, arrive + 1000, true);
  const leaveAt = crossing(track, r.bathroomZoneId, arrive + 1000, track.end, false);
  return {
    group: 'bathroom_long',
    kind: 'bathroom_long',
    positive,
    name: positive ? `night, in the bathroom ${inMin.toFixed(0)} min` : `night, a normal bathroom visit (${inMin.toFixed(0)} min)`,
    site,
    resident: scenarioResident(r),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng)),
    t0,
    t1: track.end,
    expectAt: enterAt + BATHROOM_MIN * 60_000,
    onset: enterAt,
    clearAt: leaveAt,
  };
}

function inactivityEpisode(rng: Rng, positive: boolean, byDay = false): Episode {
  const { site, t0 } = byDay ? dayStart(rng) : nightStart(rng, 3 * 60);
  const r = anyRoom(rng);
  const v = walkSpeed(rng);
  const minutes = byDay ? INACTIVITY_DAY_MIN : INACTIVITY_NIGHT_MIN;
  const where = rng.pick(['bathroom', 'corridor', 'lounge', 'bedside'] as const);
  const track = new Track(r.bed, t0).pause(rng.range(60, 180));
  if (where === 'bathroom') track.walkPath(bedToBathroom(r), v);
  else if (where === 'corridor') track.walkPath([...bedToCorridor(r), [r.corridor[0] + rng.range(-5, 5), r.corridor[1]]], v);
  else if (where === 'lounge') track.walkPath([...bedToCorridor(r), ...ringPath(r.corridor, [9.25, 12]), LOUNGE_DOOR, [rng.range(2, 6), rng.range(8, 16)]], v);
  else track.walkPath([r.bedside, [r.bedside[0] + 0.6, r.bedside[1]]], v);
  const stopAt = track.end;
  const stillMin = positive ? rng.range(minutes + 2, minutes + 15) : rng.range(3, minutes - 3);
  track.pause(stillMin * 60);
  if (!positive) track.walk([track.position[0] + rng.range(2, 4), track.position[1]], v).pause(rng.range(30, 120));
  return {
    group: 'inactivity',
    kind: 'inactivity',
    positive,
    name: `${byDay ? 'day, fall-risk resident' : 'night'}, still ${stillMin.toFixed(0)} min (${where})`,
    site,
    resident: scenarioResident(r, { fallRisk: byDay }),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng)),
    t0,
    t1: track.end,
    expectAt: stopAt + minutes * 60_000,
    onset: stopAt,
  };
}

function inactivityNotFallRiskByDay(rng: Rng): Episode {
  const e = inactivityEpisode(rng, true, true);
  return { ...e, positive: false, name: e.name.replace('fall-risk', 'not fall-risk'), resident: { ...e.resident, fallRisk: false } };
}

/** The resident goes to bed; the tag is put on its charger on the bedside table, outside the bed zone. */
function tagOnCharger(rng: Rng, group: 'inactivity' | 'out_of_bed' | 'fall (3D height)'): Episode {
  const { site, t0 } = nightStart(rng, 2 * 60);
  const r = anyRoom(rng);
  const charger: P = [r.bedside[0] + 0.3, r.bedside[1] + 0.5];
  const track = new Track(r.bed, t0).pause(120).walk(charger, 0.5).pause(rng.range(60, 150) * 60);
  const put = t0 + 125_000;
  const start = rng.range(20, 60);
  const minutesPerPct = rng.range(1.2, 3);
  return {
    group,
    kind: group === 'fall (3D height)' ? 'fall' : group,
    positive: false,
    name: 'tag on its charger all night (battery rising, stationary)',
    site,
    resident: scenarioResident(r, { fallRisk: true }),
    fixes: sampleFixes(track, t0, track.end, rng, {
      ...rtls(rng, { stillS: rng.pick([5, 10, 30]) }),
      battery: (t) => Math.min(100, Math.round(t < put ? start : start + (t - put) / 60_000 / minutesPerPct)),
    }),
    t0,
    t1: track.end,
  };
}

// ---------------------------------------------------------------------------------------------------
// Device health

function tagSilent(rng: Rng, positive: boolean): Episode {
  const { site, t0 } = rng.chance(0.5) ? nightStart(rng) : dayStart(rng);
  const r = anyRoom(rng);
  const track = new Track(r.corridor, t0).pause(3600);
  const period = rng.range(1, 30);
  const runMin = rng.range(5, 20);
  const fixes: Fix[] = [];
  let t = t0;
  let lastTs = t0;
  while (t < t0 + runMin * 60_000) {
    const p = track.pos(t);
    fixes.push({ tagId: 'T', ts: Math.round(t), floorId: 'F1', x: p[0] + rng.gaussian() * 0.3, y: p[1] + rng.gaussian() * 0.3, accuracy: 0.5 });
    lastTs = Math.round(t);
    // a negative has gaps up to 20 s short of the threshold
    const gap = !positive && rng.chance(0.05) ? rng.range(period, SILENT_S - 20) : period * rng.range(0.8, 1.2);
    t += gap * 1000;
  }
  const t1 = positive ? lastTs + (SILENT_S + rng.range(30, 300)) * 1000 : lastTs;
  let backAt: number | undefined;
  if (positive && rng.chance(0.5)) {
    backAt = t1 - 5000;
    fixes.push({ tagId: 'T', ts: backAt, floorId: 'F1', x: r.corridor[0], y: r.corridor[1], accuracy: 0.5 });
  }
  return {
    group: 'tag_silent',
    kind: 'tag_silent',
    positive,
    name: positive ? `tag stops reporting (every ${period.toFixed(0)} s before)` : `irregular reports, gaps < ${SILENT_S - 20} s`,
    site,
    resident: scenarioResident(r, { wanderRisk: rng.chance(0.5) }),
    fixes,
    t0,
    t1,
    expectAt: positive ? lastTs + SILENT_S * 1000 : undefined,
    onset: lastTs,
    clearAt: backAt,
  };
}

function lowBattery(rng: Rng, positive: boolean): Episode {
  const { site, t0 } = dayStart(rng);
  const r = anyRoom(rng);
  const fixes: Fix[] = [];
  const minutes = rng.range(30, 90);
  const from = positive ? rng.range(LOW_PCT + 2, LOW_PCT + 5) : rng.range(LOW_PCT + 3, CLEAR_PCT + 10);
  const to = positive ? rng.range(LOW_PCT - 8, LOW_PCT - 2) : from - rng.range(0, 2);
  const recharge = positive && rng.chance(0.5);
  let expectAt: number | undefined;
  let clearAt: number | undefined;
  for (let t = t0; t < t0 + minutes * 60_000; t += 10_000) {
    const f = (t - t0) / (minutes * 60_000);
    let level = from + (to - from) * Math.min(1, f * (recharge ? 2 : 1));
    if (recharge && f > 0.5) level = to + (f - 0.5) * 2 * (CLEAR_PCT + 10 - to);
    const battery = Math.max(0, Math.round(level + (rng.chance(0.2) ? rng.pick([-1, 1]) : 0)));
    fixes.push({ tagId: 'T', ts: t, floorId: 'F1', x: r.bed[0], y: r.bed[1], accuracy: 0.5, battery });
    if (positive && expectAt === undefined && battery < LOW_PCT) expectAt = t;
    if (recharge && expectAt !== undefined && clearAt === undefined && f > 0.5 && battery > CLEAR_PCT) clearAt = t;
  }
  if (positive && expectAt === undefined) return lowBattery(rng, positive);
  return {
    group: 'low_battery',
    kind: 'low_battery',
    positive,
    name: positive ? `battery drains below ${LOW_PCT}%${recharge ? ', then charged' : ''}` : 'battery level wavering above the threshold',
    site,
    resident: scenarioResident(r),
    fixes,
    t0,
    t1: fixes[fixes.length - 1].ts,
    expectAt,
    onset: expectAt,
    clearAt,
  };
}

function eventEpisode(rng: Rng, group: 'sos' | 'tamper' | 'fall (device)', event: Fix['event'] | undefined, positive: boolean, name: string): Episode {
  const { site, t0 } = rng.chance(0.5) ? nightStart(rng) : dayStart(rng);
  const r = anyRoom(rng);
  const v = walkSpeed(rng);
  const track = new Track(r.bed, t0).pause(30).walkPath([...bedToCorridor(r), [r.corridor[0] + rng.range(-6, 6), r.corridor[1]]], v).pause(60);
  const fixes = sampleFixes(track, t0, track.end, rng, rtls(rng));
  const i = rng.int(Math.floor(fixes.length / 3), fixes.length - 2);
  if (event) fixes[i] = { ...fixes[i], event };
  return {
    group,
    kind: group === 'fall (device)' ? 'fall' : group,
    positive,
    name,
    site,
    resident: scenarioResident(r),
    fixes,
    t0,
    t1: track.end,
    expectAt: fixes[i].ts,
    onset: fixes[i].ts,
  };
}

// ---------------------------------------------------------------------------------------------------
// Falls by height (3D fixes)

function heightEpisode(rng: Rng, variant: 'fall' | 'sit-hard' | 'lie-in-bed' | 'bend' | 'walk'): Episode {
  const { site, t0 } = rng.chance(0.5) ? nightStart(rng) : dayStart(rng);
  const r = anyRoom(rng);
  const v = walkSpeed(rng);
  const standZ = rng.range(0.95, 1.3);
  const zNoise = rng.range(0.03, 0.12);
  const track = new Track(r.corridor, t0).pause(20);
  let events: { at: number; z: number }[] = [{ at: t0, z: standZ }];
  let onset = t0;
  if (variant === 'lie-in-bed') {
    track.walkPath([r.door, r.bedside], v).pause(3).walk(r.bed, 0.4);
    onset = track.end;
    events.push({ at: onset - 1500, z: rng.range(0.6, 0.75) }, { at: onset, z: rng.range(0.3, 0.6) });
    track.pause(rng.range(120, 300));
  } else {
    const there: P = [r.corridor[0] + rng.range(-5, 5), r.corridor[1] + rng.range(-0.5, 0.5)];
    track.walk(there, v);
    onset = track.end;
    if (variant === 'fall') {
      onset += rng.range(300, 1200);
      events.push({ at: onset, z: rng.range(0.05, 0.3) });
      track.pause(rng.range(30, 180));
    } else if (variant === 'sit-hard') {
      // A belt tag on a chair: about 0.6 of its standing height.
      events.push({ at: onset + 400, z: standZ * rng.range(0.52, 0.68) });
      track.pause(rng.range(60, 240));
    } else if (variant === 'bend') {
      events.push({ at: onset + 800, z: rng.range(0.3, 0.45) }, { at: onset + 800 + rng.range(1500, 3500), z: standZ });
      track.pause(30);
    } else {
      track.walk([there[0] + rng.range(-4, 4), there[1]], v);
    }
  }
  events = events.sort((a, b) => a.at - b.at);
  const zAt = (t: number) => {
    let z = events[0].z;
    for (const e of events) if (e.at <= t) z = e.z;
    return Math.max(0, z + rng.gaussian() * zNoise);
  };
  const names = {
    fall: 'falls from standing to the floor and stays there',
    'sit-hard': 'sits down hard on a chair',
    'lie-in-bed': 'lies down in bed',
    bend: 'bends down to pick something up',
    walk: 'walks along the corridor',
  };
  return {
    group: 'fall (3D height)',
    kind: 'fall',
    positive: variant === 'fall',
    name: names[variant],
    site,
    resident: scenarioResident(r, { fallRisk: true }),
    fixes: sampleFixes(track, t0, track.end, rng, { ...rtls(rng), movingS: rng.pick([0.5, 1]), stillS: 1, z: zAt }),
    t0,
    t1: track.end,
    onset,
  };
}

// ---------------------------------------------------------------------------------------------------
// Exit lingering

function exitLinger(rng: Rng, variant: 'linger' | 'pass' | 'short' | 'escorted'): Episode {
  const { site, t0 } = rng.chance(0.5) ? nightStart(rng) : dayStart(rng);
  const r = anyRoom(rng);
  const v = walkSpeed(rng);
  const track = new Track(r.corridor, t0).pause(10);
  const near: P = [EAST_DOOR_APPROACH[0] + rng.range(-0.3, 0.3), EAST_DOOR_APPROACH[1] + rng.range(-0.8, 0.8)];
  track.walkPath(ringPath(r.corridor, EAST_DOOR_APPROACH), v);
  let arrive = track.end;
  let escortFrom: number | undefined;
  if (variant === 'pass') {
    // along the east corridor past the door, never stopping
    const other: P[] = r.side === 'S' ? [[42.75, 16.75], [36, 16.75]] : [[42.75, 7.25], [36, 7.25]];
    track.walkPath(other, v).pause(20);
  } else {
    track.walk(near, v);
    arrive = track.end;
    const dwell = variant === 'linger' || variant === 'escorted' ? rng.range(LINGER_S + 15, LINGER_S + 150) : rng.range(5, 25);
    // shuffling about in front of the door
    const until = arrive + dwell * 1000;
    while (track.end < until) {
      track.pause(rng.range(5, 20));
      track.walk([near[0] + rng.range(-0.6, 0.3), near[1] + rng.range(-0.8, 0.8)], 0.3);
    }
    track.walkPath(ringPath(EAST_DOOR_APPROACH, r.corridor), v).pause(10);
    if (variant === 'escorted') escortFrom = t0;
  }
  // Ground truth from the true path: first time within the radius of the door, until clearly away again.
  const doorDist = (p: P) => Math.hypot(Math.max(44 - p[0], 0, p[0] - 45.5), Math.max(10.75 - p[1], 0, p[1] - 13.25));
  let within = -1;
  let away = track.end;
  for (let t = t0; t < track.end; t += 100) {
    const d = doorDist(track.pos(t));
    if (within < 0 && d <= LINGER_R) within = t;
    else if (within >= 0 && d > LINGER_R + 1) {
      away = t;
      break;
    }
  }
  const dwellS = within < 0 ? 0 : (away - within) / 1000;
  // Too close to the threshold to say either way: draw another.
  if (variant !== 'escorted' && Math.abs(dwellS - LINGER_S) < 10) return exitLinger(rng, variant);
  if (variant === 'linger' && dwellS < LINGER_S) return exitLinger(rng, variant);
  const names = {
    linger: 'lingers at the east door',
    pass: 'walks past the east door',
    short: 'stops at the east door briefly',
    escorted: 'waits at the east door with a nurse (escorted)',
  };
  return {
    group: 'exit_lingering',
    kind: 'exit_lingering',
    positive: variant !== 'escorted' && dwellS >= LINGER_S,
    name: `${names[variant]} (${dwellS.toFixed(0)} s within ${LINGER_R} m)`,
    site,
    resident: scenarioResident(r),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng, { stillS: 1 })),
    escortFrom,
    escortUntil: escortFrom !== undefined ? track.end : undefined,
    t0,
    t1: track.end,
    expectAt: within + LINGER_S * 1000,
    onset: Math.max(t0, within),
  };
}

// ---------------------------------------------------------------------------------------------------
// Wandering patterns

function loungePoint(rng: Rng): P {
  return [rng.range(LOUNGE.x0 + 0.5, LOUNGE.x1 - 0.5), rng.range(LOUNGE.y0 + 0.5, LOUNGE.y1 - 0.5)];
}

function wander(rng: Rng, pattern: 'pacing' | 'lapping' | 'random'): Episode {
  const { site, t0 } = rng.chance(0.5) ? nightStart(rng) : dayStart(rng);
  const r = anyRoom(rng);
  const v = rng.range(0.35, 1.0);
  let start: P;
  let where: string;
  const legs: { to: P; pause: number; speed: number }[] = [];
  const sp = () => v * rng.range(0.85, 1.15);
  if (pattern === 'pacing') {
    const inLounge = rng.chance(0.35);
    const len = rng.range(4, 14);
    let a: P;
    let b: P;
    if (inLounge) {
      where = 'lounge';
      do {
        a = loungePoint(rng);
        const ang = rng.range(0, Math.PI * 2);
        b = [a[0] + len * Math.cos(ang), a[1] + len * Math.sin(ang)];
        b = [Math.min(LOUNGE.x1, Math.max(LOUNGE.x0, b[0])), Math.min(LOUNGE.y1, Math.max(LOUNGE.y0, b[1]))];
      } while (Math.hypot(b[0] - a[0], b[1] - a[1]) < 4);
    } else {
      where = 'corridor';
      const y = rng.pick([7.25, 16.75]);
      const cx = rng.range(12 + len / 2, 40 - len / 2);
      a = [cx - len / 2, y];
      b = [cx + len / 2, y];
    }
    const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const n = Math.min(14, Math.max(4, Math.ceil(rng.range(45, 110) / Math.max(d, 1))));
    start = a;
    for (let i = 0; i < n; i++) {
      const end = i % 2 === 0 ? b : a;
      legs.push({ to: [end[0] + rng.gaussian() * 0.3, end[1] + rng.gaussian() * 0.3], pause: rng.chance(0.5) ? rng.range(0, 5) : 0, speed: sp() });
    }
  } else if (pattern === 'lapping') {
    const sense = rng.pick(['ccw', 'cw'] as const);
    if (rng.chance(0.5)) {
      where = 'corridor ring';
      const i0 = rng.int(0, 3);
      start = RING[i0];
      const dir = sense === 'ccw' ? 1 : 3;
      const corners = Math.round(rng.range(1.75, 3) * 4);
      for (let k = 1; k <= corners; k++) {
        const p = RING[(i0 + dir * k) % 4];
        legs.push({ to: [p[0] + rng.gaussian() * 0.2, p[1] + rng.gaussian() * 0.2], pause: 0, speed: sp() });
      }
    } else {
      where = 'lounge loop';
      const c: P = [rng.range(3, 5), rng.range(9, 15)];
      const rx = rng.range(1.2, 2.8);
      const ry = rng.range(1.5, 4.5);
      const laps = rng.range(2.5, 6);
      const dir = sense === 'ccw' ? 1 : -1;
      const rect = rng.chance(0.5);
      const steps = Math.ceil(laps * 16);
      const phase = rng.range(0, Math.PI * 2);
      const at = (k: number): P => {
        const a = phase + dir * (k / 16) * Math.PI * 2;
        if (rect) {
          const cx = Math.cos(a);
          const cy = Math.sin(a);
          const s = 1 / Math.max(Math.abs(cx), Math.abs(cy));
          return [c[0] + rx * cx * s, c[1] + ry * cy * s];
        }
        return [c[0] + rx * Math.cos(a), c[1] + ry * Math.sin(a)];
      };
      start = at(0);
      for (let k = 1; k <= steps; k++) {
        const p = at(k);
        legs.push({ to: [p[0] + rng.gaussian() * 0.15, p[1] + rng.gaussian() * 0.15], pause: 0, speed: sp() });
      }
    }
  } else {
    where = rng.chance(0.7) ? 'lounge' : 'lounge and corridor';
    start = loungePoint(rng);
    const n = rng.int(10, 22);
    let prev = start;
    for (let i = 0; i < n; i++) {
      let p = loungePoint(rng);
      if (where !== 'lounge' && rng.chance(0.25)) p = [rng.range(9, 20), rng.pick([7.25, 16.75]) + rng.range(-0.6, 0.6)];
      if (Math.hypot(p[0] - prev[0], p[1] - prev[1]) < 2) continue;
      legs.push({ to: p, pause: rng.chance(0.4) ? rng.range(1, 10) : 0, speed: sp() });
      prev = p;
    }
  }
  const track = new Track(start, t0).pause(rng.range(10, 40));
  const onset = track.end;
  for (const l of legs) track.walk(l.to, l.speed).pause(l.pause);
  const stop = track.end;
  track.pause(rng.range(40, 90));
  return {
    group: 'wander_pattern',
    kind: 'wander_pattern',
    positive: true,
    truth: pattern,
    name: `${pattern} (${where})`,
    site,
    resident: scenarioResident(r),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng, { movingS: rng.pick([1, 1, 2, 0.5]) })),
    t0,
    t1: stop + 10_000,
    onset,
  };
}

/** Walking a pattern, but not a wandering alert: escorted by a nurse (exercise laps), or not wander-risk. */
function wanderNotAlerted(rng: Rng): Episode {
  const escorted = rng.chance(0.5);
  const e = wander(rng, rng.pick(['pacing', 'lapping', 'random'] as const));
  if (escorted) return { ...e, positive: false, truth: 'direct', name: `${e.name} escorted by a nurse`, escortFrom: e.t0, escortUntil: e.t1 + 60_000 };
  return { ...e, positive: false, truth: 'direct', name: `${e.name}, resident not wander-risk`, resident: { ...e.resident, wanderRisk: false } };
}

/** Normal travel of a wander-risk resident: direct trips, there and back, a bathroom visit, sitting, pottering. */
function normalTravel(rng: Rng): Episode {
  const { site, t0 } = rng.chance(0.5) ? nightStart(rng) : dayStart(rng);
  const r = anyRoom(rng);
  const v = walkSpeed(rng);
  const variant = rng.pick(['to-lounge', 'from-lounge', 'to-room', 'there-and-back', 'lounge-and-back', 'bathroom', 'sitting', 'pottering'] as const);
  const track = new Track(r.bed, t0).pause(rng.range(10, 40));
  const loungeSeat: P = loungePoint(rng);
  const toLounge: P[] = [...bedToCorridor(r), ...ringPath(r.corridor, [9.25, 12]), LOUNGE_DOOR, loungeSeat];
  switch (variant) {
    case 'to-lounge':
      track.walkPath(toLounge, v).pause(60);
      break;
    case 'from-lounge': {
      const t = new Track(loungeSeat, t0).pause(rng.range(10, 40)).walkPath([...toLounge].reverse().slice(1), v).pause(60);
      return normal(t, 'walks from the lounge back to bed', site, r, t0, rng);
    }
    case 'to-room': {
      const other = anyRoom(rng);
      track.walkPath([...bedToCorridor(r), ...ringPath(r.corridor, other.corridor), other.door, other.bedside], v).pause(60);
      break;
    }
    case 'there-and-back': {
      const spot: P = [r.corridor[0] + rng.range(-15, 15), r.corridor[1]];
      spot[0] = Math.max(10, Math.min(42, spot[0]));
      const go: P[] = [...bedToCorridor(r), spot];
      track.walkPath(go, v).pause(rng.range(10, 25)).walkPath([...go].reverse().slice(1), v).walk(r.bed, v).pause(60);
      break;
    }
    case 'lounge-and-back':
      track.walkPath(toLounge, v).pause(rng.range(5, 25)).walkPath([...toLounge].reverse().slice(1), v).walk(r.bed, v).pause(60);
      break;
    case 'bathroom':
      track.walkPath(bedToBathroom(r), v).pause(rng.range(60, 300)).walkPath(bathroomToBed(r), v).pause(60);
      break;
    case 'sitting': {
      const t = new Track(loungeSeat, t0).pause(rng.range(180, 600));
      return normal(t, 'sits in the lounge', site, r, t0, rng);
    }
    case 'pottering': {
      const spots: P[] = [r.bedside, r.door, [r.bathroom[0], r.side === 'S' ? 2.4 : 21.6], [r.bedside[0] + 1, r.bedside[1]]];
      for (let i = 0; i < rng.int(4, 8); i++) track.walk(rng.pick(spots), v * 0.7).pause(rng.range(3, 30));
      track.pause(30);
      break;
    }
  }
  const names = {
    'to-lounge': 'walks from bed to the lounge',
    'to-room': "walks to another resident's room",
    'there-and-back': 'walks to the nurse station and back',
    'lounge-and-back': 'walks to the lounge and straight back',
    bathroom: 'a bathroom visit',
    pottering: 'potters about the room',
  } as Record<string, string>;
  return normal(track, names[variant], site, r, t0, rng);
}

/**
 * A brisk purposeful round, as staff walk one: striding along the corridor and into a few rooms (to the
 * bedside, a short stop, straight back out) in about two minutes. Not wandering, however many places it visits.
 */
function briskRound(rng: Rng): Episode {
  const { site, t0 } = dayStart(rng);
  const r = anyRoom(rng);
  const v = rng.range(1.1, 1.5);
  const track = new Track(r.corridor, t0).pause(rng.range(5, 20));
  let at = r;
  for (let k = rng.int(2, 4); k > 0; k--) {
    const next = anyRoom(rng);
    track.walkPath([...ringPath(at.corridor, next.corridor), next.door, next.bedside], v).pause(rng.range(3, 15));
    track.walkPath([next.door, next.corridor], v);
    at = next;
  }
  track.walkPath(ringPath(at.corridor, r.corridor), v).pause(30);
  return { ...normal(track, 'a brisk round through a few rooms', site, r, t0, rng), truth: 'brisk' };
}

function normal(track: Track, name: string, site: Site, r: RoomGeometry, t0: number, rng: Rng): Episode {
  return {
    group: 'wander_pattern',
    kind: 'wander_pattern',
    positive: false,
    truth: 'direct',
    name,
    site,
    resident: scenarioResident(r),
    fixes: sampleFixes(track, t0, track.end, rng, rtls(rng)),
    t0,
    t1: track.end,
  };
}

// ---------------------------------------------------------------------------------------------------

export interface SuiteOptions {
  seed: number;
  /** Episodes per (positive or negative) variant. */
  perVariant: number;
}

/** The whole labelled suite, deterministic for a seed. */
export function generateSuite(o: SuiteOptions): Episode[] {
  const rng = new Rng(o.seed);
  const out: Episode[] = [];
  const n = o.perVariant;
  const times = (k: number, f: () => Episode) => {
    for (let i = 0; i < k; i++) out.push(f());
  };
  // falls
  times(n, () => eventEpisode(rng, 'fall (device)', 'fall', true, 'the tag reports a fall'));
  times(n, () => eventEpisode(rng, 'fall (device)', rng.pick(['button', 'sos', 'tamper', undefined] as const), false, 'another event or none'));
  times(n, () => heightEpisode(rng, 'fall'));
  times(n, () => heightEpisode(rng, 'sit-hard'));
  times(n, () => heightEpisode(rng, 'lie-in-bed'));
  times(n, () => heightEpisode(rng, 'bend'));
  times(n, () => heightEpisode(rng, 'walk'));
  times(Math.ceil(n / 2), () => tagOnCharger(rng, 'fall (3D height)'));
  // SOS and tamper
  times(n, () => eventEpisode(rng, 'sos', 'sos', true, 'SOS button pressed'));
  times(n, () => eventEpisode(rng, 'sos', 'button', false, "generic button pressed (not configured as SOS)"));
  times(n, () => eventEpisode(rng, 'tamper', 'tamper', true, 'strap removed'));
  times(n, () => eventEpisode(rng, 'tamper', rng.pick(['button', 'sos', 'fall', undefined] as const), false, 'another event or none'));
  // night
  times(n * 2, () => outOfBed(rng, true));
  times(n * 2, () => outOfBed(rng, false));
  times(Math.ceil(n / 2), () => asleepAllNight(rng, 'out_of_bed'));
  times(Math.ceil(n / 2), () => outOfBedByDay(rng));
  times(Math.ceil(n / 2), () => tagOnCharger(rng, 'out_of_bed'));
  times(n * 2, () => bathroom(rng, true));
  times(n * 2, () => bathroom(rng, false));
  times(Math.ceil(n / 2), () => asleepAllNight(rng, 'bathroom_long'));
  times(n * 2, () => inactivityEpisode(rng, true));
  times(n, () => inactivityEpisode(rng, true, true));
  times(n * 2, () => inactivityEpisode(rng, false));
  times(Math.ceil(n / 2), () => inactivityNotFallRiskByDay(rng));
  times(Math.ceil(n / 2), () => asleepAllNight(rng, 'inactivity'));
  times(n, () => tagOnCharger(rng, 'inactivity'));
  // device health
  times(n, () => tagSilent(rng, true));
  times(n, () => tagSilent(rng, false));
  times(n, () => lowBattery(rng, true));
  times(n, () => lowBattery(rng, false));
  // exits
  times(n, () => exitLinger(rng, 'linger'));
  times(n, () => exitLinger(rng, 'pass'));
  times(n, () => exitLinger(rng, 'short'));
  times(n, () => exitLinger(rng, 'escorted'));
  // wandering patterns
  times(n * 2, () => wander(rng, 'pacing'));
  times(n * 2, () => wander(rng, 'lapping'));
  times(n * 2, () => wander(rng, 'random'));
  times(n * 5, () => normalTravel(rng));
  times(n * 2, () => briskRound(rng));
  times(n, () => wanderNotAlerted(rng));
  return out;
}

export type { RuleOverrides };
