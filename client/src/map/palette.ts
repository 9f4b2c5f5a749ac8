/**
 * Colours of the floor map, tuned for a dark screen at night: the plan recedes, residents and alarms stand out.
 * The browser test counts pixels of `ZONE_FILL.room` exactly, so keep fills opaque.
 */
import type { ZoneKind } from '../../../geo/model';

export type RGBA = [number, number, number, number];

export const BACKGROUND: RGBA = [15, 23, 42, 255];

/** Fill per zone kind; alpha 0 means outline only. */
export const ZONE_FILL: Record<ZoneKind, RGBA> = {
  campus: [0, 0, 0, 0],
  home: [0, 0, 0, 0],
  ward: [24, 34, 54, 255],
  safe: [0, 0, 0, 0],
  corridor: [44, 56, 78, 255],
  room: [61, 79, 110, 255],
  bathroom: [38, 104, 128, 255],
  bed: [92, 112, 148, 255],
  forbidden: [110, 28, 36, 255],
  // Green like the 安全出口 signs: no other zone or marker uses green.
  exit: [22, 190, 90, 255],
};

export const ZONE_LINE: Record<ZoneKind, RGBA> = {
  campus: [148, 163, 184, 200],
  home: [148, 163, 184, 200],
  ward: [165, 180, 210, 255],
  safe: [56, 189, 248, 160],
  corridor: [70, 84, 110, 255],
  room: [148, 163, 184, 255],
  bathroom: [103, 180, 205, 255],
  bed: [130, 150, 185, 255],
  forbidden: [248, 113, 113, 255],
  exit: [187, 247, 208, 255],
};

/** Outline width in pixels per kind. */
export const ZONE_LINE_WIDTH: Record<ZoneKind, number> = {
  campus: 2,
  home: 2,
  ward: 3,
  safe: 1.5,
  corridor: 1,
  room: 1.5,
  bathroom: 1,
  bed: 1,
  forbidden: 2,
  exit: 3,
};

export const HATCH: RGBA = [248, 113, 113, 230];

export const RESIDENT = {
  normal: [241, 245, 249, 255] as RGBA,
  acknowledged: [251, 146, 60, 255] as RGBA,
  alert: [239, 68, 68, 255] as RGBA,
  outline: [15, 23, 42, 255] as RGBA,
  /** The ring that marks a wander-risk resident. */
  wander: [250, 204, 21, 255] as RGBA,
  halo: [239, 68, 68, 110] as RGBA,
};

export const FOCUS: RGBA = [250, 250, 250, 255];

export const LABEL = {
  room: [203, 213, 225, 255] as RGBA,
  exit: [134, 239, 172, 255] as RGBA,
  exitBg: [5, 46, 22, 230] as RGBA,
  resident: [248, 250, 252, 255] as RGBA,
  residentBg: [15, 23, 42, 200] as RGBA,
  residentAlertBg: [153, 27, 27, 235] as RGBA,
};

/** System fonts only: no glyph server, nothing fetched. CJK families first for resident names. */
export const FONT_FAMILY =
  '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
