/** Duty rosters in the site's time zone decide who an alert goes to. */
import { describe, expect, it } from 'vitest';
import { audienceOf, localClock, onDuty, routeAlert, type Roster, type StaffMember } from '../../server/alerts/routing';

const TZ = 'Asia/Shanghai'; // UTC+8, no daylight saving
/** Local Shanghai time on Monday 2026-01-05 (+ days). */
const at = (hh: number, mm = 0, days = 0) => Date.UTC(2026, 0, 5 + days, hh - 8, mm);

const roster: Roster = {
  siteId: 's',
  updatedAt: 0,
  updatedBy: 'admin',
  shifts: [
    { staff: ['li'], wardIds: ['w1'], start: '08:00', end: '16:00' },
    { staff: ['wang'], wardIds: ['w1'], start: '22:00', end: '06:00', days: [1] }, // Monday nights only
    { staff: ['zhao'], start: '16:00', end: '22:00' }, // every ward
  ],
};

const staff: StaffMember[] = [
  { username: 'li', role: 'nurse', siteIds: ['s'], wardIds: ['w1'] },
  { username: 'wang', role: 'nurse', siteIds: ['s'], wardIds: ['w1'] },
  { username: 'zhao', role: 'charge_nurse', siteIds: ['s'], wardIds: [] },
  { username: 'boss', role: 'manager', siteIds: ['s'], wardIds: [] },
  { username: 'elsewhere', role: 'nurse', siteIds: ['t'], wardIds: ['w1'] },
];

describe('routing by duty roster', () => {
  it("reads the clock in the site's time zone", () => {
    expect(localClock(at(23, 30), TZ)).toEqual({ day: 1, minute: 23 * 60 + 30 });
    expect(localClock(at(1, 0, 1), TZ)).toEqual({ day: 2, minute: 60 });
  });

  it('sends a ward alert to the staff on duty for that ward at that hour', () => {
    expect(onDuty(roster, 'w1', at(9), TZ)).toEqual(['li']);
    expect(onDuty(roster, 'w1', at(17), TZ)).toEqual(['zhao']);
    expect(onDuty(roster, 'w2', at(9), TZ)).toEqual([]);
  });

  it('keeps a night shift on duty past midnight, on the day after the day it starts', () => {
    expect(onDuty(roster, 'w1', at(23), TZ)).toEqual(['wang']);
    expect(onDuty(roster, 'w1', at(3, 0, 1), TZ)).toEqual(['wang']); // Tuesday 03:00, Monday's shift
    expect(onDuty(roster, 'w1', at(23, 0, 1), TZ)).toEqual([]); // Tuesday night: no Tuesday shift
    expect(onDuty(roster, 'w1', at(6, 0, 1), TZ)).toEqual([]); // the end is exclusive
  });

  it('sends to every nurse and charge nurse of the site when nobody is on duty for the ward', () => {
    expect(routeAlert({ siteId: 's', wardId: 'w1' }, roster, staff, at(9), TZ)).toEqual({ staff: ['li'], scope: 'ward' });
    expect(routeAlert({ siteId: 's', wardId: 'w2' }, roster, staff, at(9), TZ)).toEqual({ staff: ['li', 'wang', 'zhao'], scope: 'site' });
    expect(routeAlert({ siteId: 's', wardId: null }, undefined, staff, at(9), TZ).scope).toBe('site');
  });

  it('names an escalation audience by role or by user, at the alert site only', () => {
    expect(audienceOf('manager', 's', staff)).toEqual(['boss']);
    expect(audienceOf('nurse', 's', staff)).toEqual(['li', 'wang']);
    expect(audienceOf('zhao', 's', staff)).toEqual(['zhao']);
    expect(audienceOf('nurse', 't', staff)).toEqual(['elsewhere']);
  });
});
