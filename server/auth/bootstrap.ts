import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEMO_BANNER, seedDemo } from './demo';
import type { Registry } from '../registry';
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
 * memory only, announced loudly. Otherwise: the accounts file, plus the first admin from
 * ADMIN_PASSWORD when there is no admin yet — and a refusal to start when that password is missing,
 * a demo or default one, or weak.
 */
export async function openAccounts(
  config: AccountsConfig,
  registry: Registry,
  log: Logger,
): Promise<Accounts> {
  try {
    return await open(config, registry, log);
  } catch (e) {
    // one clear line in the log before the start fails (main.ts prints the error too)
    if (e instanceof StartupRefused) log.fatal(e.message);
    throw e;
  }
}

async function open(
  config: AccountsConfig,
  registry: Registry,
  log: Logger,
): Promise<Accounts> {
  if (config.demo) {
    const accounts = new Accounts({ demo: true, sessionTtlMs: config.sessionTtlMs });
    await seedDemo(accounts, registry);
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
  const file = config.accountsFile ?? join(config.dataDir || './data', 'accounts.json');
  const accounts = new Accounts({ demo: false, file, sessionTtlMs: config.sessionTtlMs });
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
