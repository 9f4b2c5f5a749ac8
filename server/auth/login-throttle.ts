/**
 * Login throttling that slows guessing without handing an attacker a lockout (docs/security.md).
 *
 * A plain "5 failures per account, then 429 for everyone" lets anyone lock the night nurse out by
 * typing her name five times a minute. Here the account's failures only decide *whether* it is
 * under attack; the delay itself falls on the clients (addresses) that failed:
 *
 *   - an account with at most `freeFailures` recent failures is not throttled at all;
 *   - beyond that, each client that failed for the account waits before its next try, 1 s after its
 *     first failure, doubling with each further one, at most 15 minutes;
 *   - a client that has not failed for the account is never refused: its password is checked, and
 *     the right one logs in (a wrong one makes it a failed client like the others).
 *
 * Failures are forgotten 15 minutes after the last one. The state is per node and in memory: a
 * restart forgets it, and the per-address limit (auth-api.ts) still bounds what one address tries.
 */

export interface LoginThrottleOptions {
  /** Failures an account takes, from any clients, before its failed clients are delayed. */
  freeFailures: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failures older than this (after the last one) are forgotten. */
  forgetAfterMs?: number;
  /** Accounts tracked at once; the least recently failed are dropped beyond it. */
  maxAccounts?: number;
  now?: () => number;
}

interface ClientState {
  failures: number;
  lastFailureAt: number;
  /** When this client may try again (0: at once). */
  waitUntil: number;
}

interface AccountState {
  failures: number;
  lastFailureAt: number;
  clients: Map<string, ClientState>;
}

/** What an admin sees of an account under throttling. */
export interface ThrottledAccount {
  username: string;
  failures: number;
  lastFailureAt: number;
  /** True when its failed clients are being delayed. */
  throttled: boolean;
  clients: { address: string; failures: number; lastFailureAt: number; retryAfterMs: number }[];
}

/** Clients remembered per account; an attacker rotating addresses beyond it only forgets its own oldest. */
const MAX_CLIENTS_PER_ACCOUNT = 1000;

export class LoginThrottle {
  private readonly accounts = new Map<string, AccountState>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxAccounts: number;
  private readonly now: () => number;

  constructor(opts: LoginThrottleOptions) {
    this.freeFailures = opts.freeFailures;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 15 * 60_000;
    this.forgetAfterMs = opts.forgetAfterMs ?? 15 * 60_000;
    this.maxAccounts = opts.maxAccounts ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Before checking the password: how long this client must still wait for this account (0: go on). */
  waitFor(username: string, client: string): number {
    const acc = this.live(key(username));
    const c = acc?.clients.get(client);
    if (!acc || !c) return 0;
    return Math.max(0, c.waitUntil - this.now());
  }

  /** A wrong password (or code): returns the wait it imposes on this client (0 while the account is not under attack). */
  failed(username: string, client: string): number {
    const k = key(username);
    const now = this.now();
    const acc = this.live(k) ?? { failures: 0, lastFailureAt: now, clients: new Map<string, ClientState>() };
    acc.failures++;
    acc.lastFailureAt = now;
    const c = acc.clients.get(client) ?? { failures: 0, lastFailureAt: now, waitUntil: 0 };
    c.failures++;
    c.lastFailureAt = now;
    const wait = acc.failures > this.freeFailures ? this.delay(c.failures) : 0;
    c.waitUntil = now + wait;
    // re-inserted: Map order is least recently failed first, which is what is dropped
    acc.clients.delete(client);
    acc.clients.set(client, c);
    if (acc.clients.size > MAX_CLIENTS_PER_ACCOUNT) acc.clients.delete(acc.clients.keys().next().value!);
    this.accounts.delete(k);
    this.accounts.set(k, acc);
    if (this.accounts.size > this.maxAccounts) this.accounts.delete(this.accounts.keys().next().value!);
    return wait;
  }

  /** The right password from this client: its own failures are forgiven (the account's stay counted). */
  succeeded(username: string, client: string): void {
    this.accounts.get(key(username))?.clients.delete(client);
  }

  /** An admin lifts the throttling of an account (e.g. after the attack was dealt with). */
  clear(username: string): boolean {
    return this.accounts.delete(key(username));
  }

  list(): ThrottledAccount[] {
    const now = this.now();
    const out: ThrottledAccount[] = [];
    for (const [username] of [...this.accounts]) {
      const acc = this.live(username);
      if (!acc) continue;
      out.push({
        username,
        failures: acc.failures,
        lastFailureAt: acc.lastFailureAt,
        throttled: acc.failures > this.freeFailures,
        clients: [...acc.clients].map(([address, c]) => ({ address, failures: c.failures, lastFailureAt: c.lastFailureAt, retryAfterMs: Math.max(0, c.waitUntil - now) })),
      });
    }
    return out.sort((a, b) => b.failures - a.failures || a.username.localeCompare(b.username));
  }

  private delay(clientFailures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(30, clientFailures - 1));
  }

  /** The account's state, with what has been forgotten dropped. */
  private live(k: string): AccountState | undefined {
    const acc = this.accounts.get(k);
    if (!acc) return undefined;
    const now = this.now();
    for (const [client, c] of acc.clients) if (now - c.lastFailureAt > this.forgetAfterMs && now >= c.waitUntil) acc.clients.delete(client);
    if (now - acc.lastFailureAt > this.forgetAfterMs && acc.clients.size === 0) {
      this.accounts.delete(k);
      return undefined;
    }
    return acc;
  }
}

const key = (username: string) => username.trim().toLowerCase().slice(0, 64);
