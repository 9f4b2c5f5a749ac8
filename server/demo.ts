import type { Accounts } from './auth/accounts';
import type { Registry } from './registry';

export const DEMO_GATEWAY_KEY = 'demo-gateway-key';

/**
 * Demo mode (SPEC §10): well-known accounts and a gateway key for every loaded site. The server
 * logs this loudly, and never seeds them outside demo mode.
 */
export async function seedDemo(accounts: Accounts, registry: Registry): Promise<{ familyResidentId: string | null }> {
  const sites = [...registry.sites.values()];
  const siteIds = sites.map((s) => s.id);
  const wardIds = sites.flatMap((s) => s.wards.map((w) => w.id));
  const residents = [...registry.residents.values()];
  // the family account follows a wander-risk resident of a ward, so the demo wanderer's alerts reach it
  const relative = residents.find((r) => r.wanderRisk && !r.community && r.wardId) ?? residents[0] ?? null;
  const base = { siteIds, wardIds: [] as string[], residentIds: [] as string[] };
  await Promise.all([
    accounts.addAccount({ ...base, username: 'admin', role: 'admin', displayName: 'Administrator 管理员' }, 'admin-demo'),
    accounts.addAccount({ ...base, username: 'nurse', role: 'nurse', displayName: 'Night nurse 夜班护士', wardIds }, 'nurse-demo'),
    accounts.addAccount({ ...base, username: 'manager', role: 'manager', displayName: 'Manager 院长' }, 'manager-demo'),
    accounts.addAccount(
      { ...base, username: 'family', role: 'family', displayName: 'Family 家属', residentIds: relative ? [relative.id] : [] },
      'family-demo',
    ),
    accounts.addAccount({ ...base, username: 'regulator', role: 'regulator', displayName: 'Regulator 民政局' }, 'regulator-demo'),
  ]);
  for (const s of sites) accounts.addIngestKey(`demo-gateway:${s.id}`, s.id, null, DEMO_GATEWAY_KEY);
  return { familyResidentId: relative?.id ?? null };
}
