import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { DEMO_BANNER, seedDemo } from './demo';
import type { Registry } from '../registry';
import type { Store } from '../store';
import { Accounts } from './accounts';
import { passwordProblem } from './password-policy';

/** The part of the configuration accounts start from (server/config.ts; not imported: config imports http, http imports auth). */
export interface AccountsConfig {
  demo: boolean;
  adminUsername: string;
  adminPassword: string | null;
  accountsFile: string | null;
  dataDir: string;
  sessionTtlMs: number;
}

/** A configuration that must not serve residents; the message says what to change. */
export class StartupRefused extends Error {}

/**
 * Accounts as the server starts with them. Demo mode: the published demo accounts and key, in
 * memory only (their sessions are stored), announced loudly. Otherwise: the store's accounts, plus the first admin from
 * ADMIN_PASSWORD when there is no admin yet — and a refusal to start when that password is missing,
 * a demo or default one, or weak.
 */
export async function openAccounts(
  config: AccountsConfig,
  registry: Registry,
  store: Store,
  log: Logger,
): Promise<Accounts> {
  try {
    return await open(config, registry, store, log);
  } catch (e) {
    // one clear line in the log before the start fails (main.ts prints the error too)
    if (e instanceof StartupRefused) log.fatal(e.message);
    throw e;
  }
}

async function open(
  config: AccountsConfig,
  registry: Registry,
  store: Store,
  log: Logger,
): Promise<Accounts> {
  if (config.demo) {
    const accounts = new Accounts({ demo: true, store: store.auth, sessionTtlMs: config.sessionTtlMs });
    await seedDemo(accounts, registry);
    // the sessions of the demo accounts survive a restart like any others
    await accounts.load();
    log.warn(DEMO_BANNER);
    if (config.adminPassword) log.warn('ADMIN_PASSWORD is ignored in demo mode (set DEMO=off)');
    return accounts;
  }

  const username = config.adminUsername;
  if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(username)) throw new StartupRefused(`ADMIN_USERNAME "${username}" must be 2-64 characters of a-z, 0-9, . _ -`);
  if (config.adminPassword !== null) {
    const problem = passwordProblem(config.adminPassword, username);
    if (problem)
      throw new StartupRefused(
        `refusing to start: ADMIN_PASSWORD ${problem}. Outside demo mode the admin password must be at least 12 characters, not a demo, default or common password, and not contain the username.`,
      );
  }
  await importLegacyFile(config, store, log);
  const accounts = new Accounts({ demo: false, store: store.auth, sessionTtlMs: config.sessionTtlMs });
  await accounts.load();
  if (!accounts.hasAdmin()) {
    if (config.adminPassword === null)
      throw new StartupRefused(
        'refusing to start: DEMO=off and no admin account exists. Set ADMIN_PASSWORD (at least 12 characters, not a demo or common password) to create the first admin, or DEMO=on for the demo.',
      );
    if (accounts.account(username)) throw new StartupRefused(`refusing to start: account ${username} exists but is not an admin; choose another ADMIN_USERNAME`);
    const siteIds = [...registry.sites.keys()];
    await accounts.addAccount({ username, role: 'admin', displayName: 'Administrator', siteIds, wardIds: [], residentIds: [] }, config.adminPassword);
    log.warn({ username, sites: siteIds }, 'first admin account created from ADMIN_PASSWORD; change the password after the first login and unset ADMIN_PASSWORD');
  } else if (config.adminPassword !== null) {
    log.info({ username }, 'an admin account exists; ADMIN_PASSWORD is not used again (unset it)');
  }
  log.info({ accounts: accounts.listAccounts().length, ingestKeys: accounts.listIngestKeys().length }, 'accounts loaded (demo mode off)');
  return accounts;
}

/**
 * Accounts and keys used to live in a JSON file of their own (ACCOUNTS_FILE, default
 * `<DATA_DIR>/accounts.json`). A store that has no account yet takes them from it once: PostgreSQL,
 * or the embedded store when ACCOUNTS_FILE pointed elsewhere (the embedded store's own file is that
 * default path, in the same format, so nothing moves).
 */
async function importLegacyFile(config: Pick<AccountsConfig, 'accountsFile' | 'dataDir'>, store: Store, log: Logger): Promise<void> {
  const file = config.accountsFile ?? join(config.dataDir || './data', 'accounts.json');
  if (store.kind === 'embedded' && resolve(file) === resolve(config.dataDir || './data', 'accounts.json')) return;
  if ((await store.auth.listAccounts()).length > 0) return;
  let snap: { accounts?: { username: string; demo?: boolean }[]; keys?: { id: string; demo?: boolean }[] };
  try {
    snap = JSON.parse(await readFile(file, 'utf8')) as typeof snap;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StartupRefused(`accounts file ${file} is unreadable (${(e as Error).message}); restore it or move it away`);
  }
  const accounts = (snap.accounts ?? []).filter((a) => !a.demo);
  const keys = (snap.keys ?? []).filter((k) => !k.demo);
  for (const a of accounts) await store.auth.putAccount(a);
  for (const k of keys) await store.auth.putIngestKey(k);
  log.warn({ file, accounts: accounts.length, keys: keys.length, store: store.kind }, 'accounts and keys imported into the store from the old accounts file; it is no longer read (remove it, and ACCOUNTS_FILE)');
}
