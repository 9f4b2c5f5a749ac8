/**
 * What the client knows: the server's data transfer shapes, the client state, and the actions that change it.
 * Everything here is plain data so the reducer stays a pure function that tests can drive without a browser.
 */
import type { Alert, Floor, Site, ZoneKind, ExitType } from '../../../geo/model';
import type { FloorFrame, FrameItem, SessionUser } from '../../../server/contract';

export type { Alert, FloorFrame, FrameItem, SessionUser };

export interface ZoneProperties {
  id: string;
  kind: ZoneKind;
  name: string;
  nameZh?: string;
  floorId: string;
  exitType?: ExitType;
  wardId?: string;
  use?: string;
}

/** Rings in the site's local metres (x east, y north), outer ring first. */
export type ZoneGeometry =
  | { type: 'Polygon'; coordinates: [number, number][][] }
  | { type: 'MultiPolygon'; coordinates: [number, number][][][] };

export interface ZoneFeature {
  type: 'Feature';
  id?: string | number;
  geometry: ZoneGeometry;
  properties: ZoneProperties;
}

/** `GET /api/v1/sites` item. */
export type SiteDto = Site & { zones: { type: 'FeatureCollection'; features: ZoneFeature[] } };

/** `GET /api/v1/residents` item. */
export interface ResidentDto {
  id: string;
  name: string;
  wardId: string | null;
  tagId: string;
  wanderRisk: boolean;
  fallRisk: boolean;
  bedZoneId: string | null;
  bathroomZoneId: string | null;
  roomZoneId: string | null;
  siteId: string;
  community: boolean;
}

/** One polygon of a zone, ready to draw (a MultiPolygon zone yields several). */
export interface ZoneShape extends Pick<ZoneProperties, 'id' | 'kind' | 'name' | 'nameZh' | 'floorId' | 'exitType'> {
  /** Outer ring first, then holes; local metres. */
  rings: [number, number][][];
}

export interface FloorInfo extends Floor {
  siteId: string;
}

/** Site data indexed once when it loads; never changes afterwards, so its arrays are stable layer data. */
export interface Catalog {
  sites: SiteDto[];
  floorsById: Record<string, FloorInfo>;
  zonesById: Record<string, ZoneProperties>;
  /** Shapes per floor in drawing order (outlines at the bottom, exits on top). */
  shapesByFloor: Record<string, ZoneShape[]>;
  residentsById: Record<string, ResidentDto>;
}

export type Locale = 'zh-CN' | 'en';
/** Night (dark) or day (light) colours. */
export type Theme = 'dark' | 'light';
export type Connection = 'offline' | 'connecting' | 'live' | 'reconnecting';
export type AlertAction = 'ack' | 'resolve';

export interface Positions {
  /** The floor these positions belong to; null until the first full frame. */
  floorId: string | null;
  /** A full frame for `floorId` has arrived (the map can be trusted). */
  complete: boolean;
  /** Server time of the newest frame applied. */
  t: number;
  byResident: Record<string, FrameItem>;
}

export interface Focus {
  alertId: string;
  floorId: string;
  x: number;
  y: number;
}

export interface ClientState {
  /** Counts dispatched actions; lets a snapshot know which alerts arrived after it was requested. */
  seq: number;
  user: SessionUser | null;
  catalog: Catalog | null;
  /** Every alert seen this session, resolved ones included (so a late snapshot cannot resurrect them). */
  alerts: Record<string, Alert>;
  /** `seq` at which each alert was last upserted. */
  alertSeenAt: Record<string, number>;
  selectedFloorId: string | null;
  positions: Positions;
  connection: Connection;
  /** serverTime - clientTime, ms, from `hello`; used for "time since fix". */
  clockOffsetMs: number;
  focus: Focus | null;
  pending: Record<string, AlertAction>;
  actionErrors: Record<string, string>;
  locale: Locale;
  /** The user wants sound (the alarm is audible only when this and `audioUnlocked`). */
  soundOn: boolean;
  /** The browser allows audio: the user has interacted with the page. */
  audioUnlocked: boolean;
  theme: Theme;
}

export type Action =
  | { type: 'session/started'; user: SessionUser }
  | { type: 'session/ended' }
  | { type: 'data/loaded'; sites: SiteDto[]; residents: ResidentDto[] }
  /** A REST listing of every non-resolved alert, requested when the state's `seq` was `requestedAtSeq`. */
  | { type: 'alerts/snapshot'; alerts: Alert[]; requestedAtSeq: number }
  | { type: 'alert/received'; alert: Alert }
  | { type: 'hello'; user: SessionUser; serverTime: number; clientTime: number }
  | { type: 'connection'; status: Connection }
  | { type: 'floor/selected'; floorId: string }
  | { type: 'frame'; frame: FloorFrame }
  | { type: 'alert/focused'; alertId: string }
  | { type: 'focus/cleared' }
  | { type: 'alert/action-started'; alertId: string; action: AlertAction }
  | { type: 'alert/action-finished'; alertId: string; alert?: Alert; error?: string }
  | { type: 'locale'; locale: Locale }
  | { type: 'theme'; theme: Theme }
  | { type: 'sound'; on: boolean }
  | { type: 'audio/unlocked' };
