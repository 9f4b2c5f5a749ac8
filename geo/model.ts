/**
 * The domain model shared by the geo core, the server and the client.
 * Geometry is always in a site's local planar frame (metres, x east, y north);
 * WGS84 appears only at the edges (ingest of outdoor fixes, city map).
 */

/** Milliseconds since the Unix epoch. */
export type EpochMs = number;

/** A point in a site's local frame, metres. */
export interface LocalPoint {
  x: number;
  y: number;
}

/** [longitude, latitude] in WGS84 degrees, the GeoJSON order. */
export type LngLat = readonly [lon: number, lat: number];

export const ZONE_KINDS = [
  'room',
  'bed',
  'bathroom',
  'corridor',
  'ward',
  'safe',
  'forbidden',
  'exit',
  'campus',
  'home',
] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

export type ExitType = 'door' | 'gate' | 'lift' | 'stairwell';

/** A ring of [x, y] pairs in local metres; first point repeated last (GeoJSON). */
export type Ring = [number, number][];

export interface Zone {
  id: string;
  kind: ZoneKind;
  name: string;
  nameZh?: string;
  floorId: string;
  /** Outer ring first, then holes, local metres. */
  polygon: Ring[];
  exitType?: ExitType;
  wardId?: string;
  /** Free-form use of a room: bedroom, lounge, nurse_station, dining, activity... */
  use?: string;
  /** Exit zones: the door or lift controller locked when a wander-risk resident approaches. */
  controller?: ExitController;
  /** Cameras covering the zone. */
  cameras?: Camera[];
}

export interface Georeference {
  /** WGS84 anchor of the local origin. */
  lon: number;
  lat: number;
  /** Rotation of the local x axis from east, degrees counter-clockwise. */
  rotationDeg: number;
}

export interface Building {
  id: string;
  name: string;
  nameZh?: string;
}

export interface Floor {
  id: string;
  /** null for a site's outdoor level. */
  buildingId: string | null;
  ordinal: number;
  name: string;
  nameZh?: string;
  outdoor?: boolean;
  /** Height of the floor slab above ground, metres (3D fall detection uses z relative to it). */
  elevationM?: number;
}

export interface Ward {
  id: string;
  name: string;
  nameZh?: string;
  floorIds: string[];
}

export interface NightWindow {
  /** "HH:MM" in the site's time zone. */
  start: string;
  end: string;
}

export interface Site {
  id: string;
  name: string;
  nameZh?: string;
  /** Region path from city down, for regulator aggregation. */
  region: string[];
  /** Administrative division code (GB/T 2260, 6 digits, county level): the regulator's province/city/county. */
  regionCode?: string;
  timeZone: string;
  georef: Georeference;
  nightWindow: NightWindow;
  buildings: Building[];
  floors: Floor[];
  wards: Ward[];
  /** Site-level overrides of the default rule parameters. */
  rules?: RuleOverrides;
}

export type TagKind = 'indoor' | 'outdoor' | 'hybrid';

export interface Tag {
  id: string;
  kind: TagKind;
  residentId: string | null;
  siteId: string;
  /** A tag worn by staff: its fixes are not watched, they tell when a resident is escorted. */
  staffId?: string;
}

export interface Resident {
  id: string;
  siteId: string;
  name: string;
  wardId: string | null;
  tagId: string;
  wanderRisk: boolean;
  fallRisk: boolean;
  roomZoneId: string | null;
  bedZoneId: string | null;
  bathroomZoneId: string | null;
  /** Zones the resident may be in; leaving all of them raises left_safe_zone. Empty: no safe-zone rule. */
  safeZoneIds: string[];
  /** Zones forbidden to this resident in addition to the site's forbidden-kind zones. */
  forbiddenZoneIds: string[];
  /** Community residents living at home: their home area (left_area when they leave it). */
  homeZoneId: string | null;
  community: boolean;
  rules?: RuleOverrides;
}

export type FixEvent = 'sos' | 'fall' | 'tamper' | 'button';
export const FIX_EVENTS: readonly FixEvent[] = ['sos', 'fall', 'tamper', 'button'];

export interface AccelSamples {
  hz: number;
  /** [x, y, z] in g, the last sample at the fix's ts. */
  samples: [number, number, number][];
}

/** A validated fix in the site's local frame, as the pipeline sees it. */
export interface Fix {
  tagId: string;
  ts: EpochMs;
  floorId: string;
  x: number;
  y: number;
  /** Height above the floor slab, metres, when the RTLS reports it. */
  z?: number;
  /** Horizontal accuracy, metres (1 sigma-ish, as devices report it). */
  accuracy: number;
  battery?: number;
  event?: FixEvent;
  accel?: AccelSamples;
}

export const ALERT_KINDS = [
  'exit_approach',
  'left_safe_zone',
  'forbidden_zone',
  'left_area',
  'wander_pattern',
  'exit_lingering',
  'fall',
  'sos',
  'out_of_bed',
  'bathroom_long',
  'inactivity',
  'tag_silent',
  'low_battery',
  'tamper',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type AlertState = 'open' | 'acknowledged' | 'resolved';

/** What a detector returns: a wish for an alert; the server dedupes, stores and routes it. */
export interface AlertCandidate {
  kind: AlertKind;
  severity: Severity;
  zoneId: string | null;
  floorId: string;
  position: LocalPoint;
  /** ts of the fix (or the tick time) that caused it. */
  fixTs: EpochMs;
  /** Human-readable reason, English; the client translates by kind. */
  detail?: string;
  /** The condition has cleared by itself (tag back, battery charged): auto-resolve an open alert of this kind. */
  clear?: boolean;
}

export interface AlertStep {
  /** `escalated`: nobody acknowledged in time; `level` and `to` say which step and its audience. */
  state: AlertState | 'escalated';
  by: string;
  at: EpochMs;
  note?: string;
  level?: number;
  to?: string;
}

/** A camera watching a zone (video linkage): a still for the alert card, a stream for the VMS. */
export interface Camera {
  id: string;
  name?: string;
  snapshotUrl: string;
  streamUrl: string;
}

/** The door or lift controller of an exit zone (access-control linkage: `door.lock` / `door.unlock`). */
export interface ExitController {
  id: string;
  kind: 'door' | 'elevator';
  name?: string;
}

export interface AlertPosition {
  floorId: string;
  x: number;
  y: number;
  lon: number;
  lat: number;
}

export interface Alert {
  id: string;
  kind: AlertKind;
  severity: Severity;
  state: AlertState;
  residentId: string;
  residentName: string;
  tagId: string;
  siteId: string;
  wardId: string | null;
  floorId: string;
  zoneId: string | null;
  position: AlertPosition;
  fixTs: EpochMs;
  detectedAt: EpochMs;
  updatedAt: EpochMs;
  /** How many further detections folded into this open alert. */
  repeats: number;
  detail?: string;
  history: AlertStep[];
  /** The escalation step reached (1, 2, ...); absent or 0 while none has fired. */
  escalationLevel?: number;
  /** The cameras of the alert's zone (an exit's linkage), for the nurse's card and the VMS. */
  cameras?: Camera[];
}

/** Rule parameters; every detector reads its own section. Sites and residents override any leaf. */
export interface RuleParams {
  hysteresis: {
    /** Minimum margin around a boundary inside which a fix does not change membership, metres. */
    minMarginM: number;
    /** Margin grows with the fix's reported accuracy times this factor. */
    accuracyFactor: number;
    /** Cap on the margin so a very inaccurate fix cannot freeze membership forever, metres. */
    maxMarginM: number;
    /** Consecutive fixes on the new side before a change is confirmed. */
    minFixes: number;
    /** And at least this long on the new side, ms. */
    dwellMs: number;
  };
  exitApproach: {
    radiusM: number;
    /** Only residents flagged wander-risk. */
    wanderRiskOnly: boolean;
  };
  leftSafeZone: { enabled: boolean; graceMs: number };
  /** Zones of kind `forbidden` apply to wander-risk residents, or to everyone when allResidents. */
  forbiddenZone: { enabled: boolean; allResidents: boolean };
  leftArea: { enabled: boolean };
  [section: string]: Record<string, number | boolean | string>;
}

export type RuleOverrides = { [S in keyof RuleParams]?: Partial<RuleParams[S]> };
