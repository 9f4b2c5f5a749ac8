import type { Resident, Ring, Site, Zone } from '../../geo/model';

/**
 * A small synthetic ward floor for the scenario suite (48 × 24 m): a corridor ring around a central
 * nurse station, eight bedrooms south and eight north (each with a bed zone and a bathroom), a lounge at
 * the west end, a door (exit) at the east end and a stairwell (exit) north of the lounge.
 *
 *   y=24 ┌──────┬─N0─┬─N1─┬ … ┬─N7─┐
 *        │stair │    corridor ring   │
 *        │lounge│  ┌─nurse station─┐ │ door (exit) →
 *        │      │  └───────────────┘ │
 *   y=0  └──────┴─S0─┴─S1─┴ … ┴─S7─┘
 */

export const FLOOR = 'F1';
const rect = (x0: number, y0: number, x1: number, y1: number): Ring => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

/** Corridor centreline corners (a ring), counter-clockwise from the south-west. */
export const RING: [number, number][] = [
  [9.25, 7.25],
  [42.75, 7.25],
  [42.75, 16.75],
  [9.25, 16.75],
];
export const LOUNGE = { x0: 0.5, y0: 4.5, x1: 7.5, y1: 19.5 };
export const LOUNGE_DOOR: [number, number] = [8, 12];
export const EAST_DOOR_APPROACH: [number, number] = [42.75, 12];
export const ROOMS = 8;

export interface RoomGeometry {
  id: string;
  side: 'S' | 'N';
  k: number;
  bedZoneId: string;
  bathroomZoneId: string;
  /** Where a lying resident's tag is, beside the bed, at the door, in the bathroom, in the corridor outside. */
  bed: [number, number];
  bedside: [number, number];
  door: [number, number];
  bathroom: [number, number];
  corridor: [number, number];
}

export function room(side: 'S' | 'N', k: number): RoomGeometry {
  const x0 = 10 + 4 * k;
  const m = (y: number) => (side === 'S' ? y : 24 - y);
  return {
    id: `${side}${k}`,
    side,
    k,
    bedZoneId: `${side}${k}-bed`,
    bathroomZoneId: `${side}${k}-bath`,
    bed: [x0 + 1.0, m(3.3)],
    bedside: [x0 + 2.4, m(3.3)],
    door: [x0 + 2, m(5.8)],
    bathroom: [x0 + 3, m(0.9)],
    corridor: [x0 + 2, m(7.25)],
  };
}

export function floorZones(): Zone[] {
  const zones: Zone[] = [
    { id: 'ward', kind: 'ward', name: 'Ward', floorId: FLOOR, polygon: [rect(0, 0, 48, 24)] },
    { id: 'lounge', kind: 'room', name: 'Lounge', floorId: FLOOR, use: 'lounge', polygon: [rect(0, 4, 8, 20)] },
    {
      id: 'corridor',
      kind: 'corridor',
      name: 'Corridor',
      floorId: FLOOR,
      polygon: [rect(8, 6, 44, 18), rect(10.5, 8.5, 41.5, 15.5)],
    },
    { id: 'station', kind: 'room', name: 'Nurse station', floorId: FLOOR, use: 'nurse_station', polygon: [rect(10.5, 8.5, 41.5, 15.5)] },
    { id: 'east-door', kind: 'exit', name: 'East door', floorId: FLOOR, exitType: 'door', polygon: [rect(44, 10.75, 45.5, 13.25)] },
    { id: 'stairs', kind: 'exit', name: 'Stairwell', floorId: FLOOR, exitType: 'stairwell', polygon: [rect(1, 20, 5, 22)] },
  ];
  for (const side of ['S', 'N'] as const) {
    for (let k = 0; k < ROOMS; k++) {
      const x0 = 10 + 4 * k;
      const r = (a: number, b: number, c: number, d: number) =>
        side === 'S' ? rect(a, b, c, d) : rect(a, 24 - d, c, 24 - b);
      zones.push(
        { id: `${side}${k}`, kind: 'room', name: `Room ${side}${k}`, floorId: FLOOR, use: 'bedroom', polygon: [r(x0, 0, x0 + 4, 6)] },
        // The bed zone covers the bed and the tag's spread around a lying body (1.6 × 2.4 m).
        { id: `${side}${k}-bed`, kind: 'bed', name: `Bed ${side}${k}`, floorId: FLOOR, polygon: [r(x0 + 0.2, 2.1, x0 + 1.8, 4.5)] },
        { id: `${side}${k}-bath`, kind: 'bathroom', name: `Bathroom ${side}${k}`, floorId: FLOOR, polygon: [r(x0 + 2, 0, x0 + 4, 2)] },
      );
    }
  }
  return zones;
}

export function scenarioSite(timeZone = 'Asia/Shanghai'): Site {
  return {
    id: 'bench',
    name: 'Scenario ward',
    region: ['Bench'],
    timeZone,
    georef: { lon: 117.0, lat: 32.63, rotationDeg: 0 },
    nightWindow: { start: '22:00', end: '06:00' },
    buildings: [{ id: 'B', name: 'Building' }],
    floors: [{ id: FLOOR, buildingId: 'B', ordinal: 0, name: '1F', elevationM: 0 }],
    wards: [{ id: 'ward', name: 'Ward', floorIds: [FLOOR] }],
  };
}

export function scenarioResident(r: RoomGeometry, flags: Partial<Resident> = {}): Resident {
  return {
    id: 'R',
    siteId: 'bench',
    name: 'Resident',
    wardId: 'ward',
    tagId: 'T',
    wanderRisk: true,
    fallRisk: false,
    roomZoneId: r.id,
    bedZoneId: r.bedZoneId,
    bathroomZoneId: r.bathroomZoneId,
    safeZoneIds: [],
    forbiddenZoneIds: [],
    homeZoneId: null,
    community: false,
    ...flags,
  };
}
