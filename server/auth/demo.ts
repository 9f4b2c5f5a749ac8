import { DEMO_GATEWAY_KEY, type Accounts } from './accounts';
import type { Resident } from '../../geo/model';
import type { Registry } from '../registry';

export { DEMO_GATEWAY_KEY };

/** What demo mode publishes (README, SPEC §10): printed at start so nobody mistakes it for production. */
export const DEMO_BANNER = [
  '*********************************************************************************************',
  '*  DEMO MODE: well-known accounts admin/admin-demo, nurse/nurse-demo, manager/manager-demo,  *',
  '*  family/family-demo, regulator/regulator-demo and gateway key "demo-gateway-key" are ON.   *',
  '*  Anyone who has read the README can log in. NEVER run demo mode with real residents.      *',
  '*  Production: DEMO=off ADMIN_PASSWORD=<a strong password> (see README, Security).          *',
  '*********************************************************************************************',
].join('\n');

/**
 * The resident the demo family account follows: a wander-risk resident of a ward. The simulator makes this one
 * wander every other episode (`familyWanderer`), so the family page shows an alert within minutes.
 */
export function demoRelative(residents: Iterable<Resident>): Resident | null {
  const all = [...residents];
  return all.find((r) => r.wanderRisk && !r.community && r.wardId) ?? all[0] ?? null;
}

/**
 * Demo mode (SPEC §10): well-known accounts and a gateway key for every loaded site. The server
 * logs this loudly, and `Accounts` refuses them outside demo mode.
 */
export async function seedDemo(accounts: Accounts, registry: Registry): Promise<{ familyResidentId: string | null }> {
  const sites = [...registry.sites.values()];
  const siteIds = sites.map((s) => s.id);
  const wardIds = sites.flatMap((s) => s.wards.map((w) => w.id));
  const residents = [...registry.residents.values()];
  const relative = demoRelative(residents);
  const base = { siteIds, wardIds: [] as string[], residentIds: [] as string[] };
  const demo = { demo: true };
  await Promise.all([
    accounts.addAccount({ ...base, username: 'admin', role: 'admin', displayName: 'Administrator 管理员' }, 'admin-demo', demo),
    accounts.addAccount({ ...base, username: 'nurse', role: 'nurse', displayName: 'Night nurse 夜班护士', wardIds }, 'nurse-demo', demo),
    accounts.addAccount({ ...base, username: 'manager', role: 'manager', displayName: 'Manager 院长' }, 'manager-demo', demo),
    accounts.addAccount(
      { ...base, username: 'family', role: 'family', displayName: 'Family 家属', residentIds: relative ? [relative.id] : [] },
      'family-demo',
      demo,
    ),
    accounts.addAccount({ ...base, username: 'regulator', role: 'regulator', displayName: 'Regulator 民政局' }, 'regulator-demo', demo),
  ]);
  for (const s of sites) accounts.addIngestKey(`demo-gateway:${s.id}`, s.id, null, DEMO_GATEWAY_KEY, { demo: true, label: 'demo gateway' });
  return { familyResidentId: relative?.id ?? null };
}
