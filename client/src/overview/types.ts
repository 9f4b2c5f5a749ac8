/** The overview API's answers as the office screens read them (server/http/overview*.ts, region-rollup.ts). */
import type { Alert, AlertKind } from '../../../geo/model';
import type { DeviceSummary } from '../../../server/contract';

export interface ResponseTimes {
  answered: number;
  median: number | null;
  p90: number | null;
  worst: number | null;
}

export interface Stats {
  alerts: number;
  open: number;
  acknowledged: number;
  resolved: number;
  byKind: Partial<Record<AlertKind, number>>;
  responseMs: ResponseTimes & { byShift?: Record<'early' | 'late' | 'night', ResponseTimes> };
  selfCleared: number;
}

export interface WardStats extends Stats {
  wardId: string | null;
  name: string;
  nameZh?: string;
}

export interface SiteStats extends Stats {
  siteId: string;
  name: string;
  nameZh?: string;
  wards: WardStats[];
}

export interface OverviewAnswer {
  since: number;
  until: number;
  sites: SiteStats[];
}


export interface DevicesAnswer {
  at: number;
  sites: (DeviceSummary & {
    siteId: string;
    wards: (DeviceSummary & { wardId: string | null })[];
    attention: { tagId: string; residentId: string | null; residentName: string | null; lastSeen: number | null; battery: number | null; state: string }[];
  })[];
}

export interface AlertPage {
  total: number;
  alerts: (Alert & { responseMs: number | null })[];
  next?: string;
}

export interface RegionNode extends Stats {
  level: 'province' | 'city' | 'county' | 'institution';
  code: string;
  name: string;
  nameEn?: string;
  institutions: number;
  residents: number;
  children: RegionNode[];
}
