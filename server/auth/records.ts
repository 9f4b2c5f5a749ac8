/** The shapes accounts.ts, sessions.ts and ingest-keys.ts share, and what callers see of them. */
import type { SessionUser } from '../contract';

export type Role = SessionUser['role'];
export const ROLES: readonly Role[] = ['nurse', 'charge_nurse', 'manager', 'admin', 'family', 'regulator'];

/** The well-known demo gateway key (SPEC §10): accepted in demo mode only. */
export const DEMO_GATEWAY_KEY = 'demo-gateway-key';

export interface AccountRecord extends SessionUser {
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
  /** Pending (`enabled: false`) from enrolment until the first code is verified. */
  totp?: { secret: string; enabled: boolean; lastStep: number };
  /** Seeded by demo mode: never stored. */
  demo?: boolean;
}

/** What an admin sees of an account: never a hash or a TOTP secret. */
export interface AccountView extends SessionUser {
  totp: boolean;
  createdAt: number;
  passwordChangedAt: number;
  demo: boolean;
}

export interface Session {
  /** sha256 of the token: what is stored and what sockets remember. The token itself is only in the client's hands. */
  id: string;
  user: SessionUser;
  createdAt: number;
  expiresAt: number;
}

/** Who may ingest: a gateway (every tag of a site) or a device (one tag). */
export interface IngestKey {
  id: string;
  siteId: string;
  /** null: a gateway key for the whole site */
  tagId: string | null;
  keyHash: string;
}

export interface KeyRecord {
  id: string;
  siteId: string;
  tagId: string | null;
  label: string;
  /** The current hash (validUntil null) and, right after a rotation, the previous one for its grace period. */
  hashes: { hash: string; validUntil: number | null }[];
  createdAt: number;
  createdBy: string;
  rotatedAt: number | null;
  demo?: boolean;
}

/** What an admin sees of an ingest key: never the key, nor its hash. */
export interface IngestKeyView {
  id: string;
  siteId: string;
  tagId: string | null;
  kind: 'gateway' | 'device';
  label: string;
  createdAt: number;
  createdBy: string;
  rotatedAt: number | null;
  lastUsedAt: number | null;
  /** After a rotation with a grace period: when the previous key stops working. */
  previousValidUntil: number | null;
  demo: boolean;
}

export class AccountError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function copyUser(u: SessionUser): SessionUser {
  return {
    username: u.username,
    role: u.role,
    displayName: u.displayName,
    siteIds: [...u.siteIds],
    wardIds: [...u.wardIds],
    residentIds: [...u.residentIds],
  };
}
