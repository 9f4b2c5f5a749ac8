import type { Tag } from '../../geo/model';
import type { IngestKey } from '../auth/accounts';
import type { Registry } from '../registry';
import type { Refusal } from './fix-validation';

/**
 * May this key report for this tag? The tag must be known, of the key's site (and the key's own tag
 * when the key is a device's), and worn by a resident or a member of staff.
 */
export function authorizeTag(registry: Pick<Registry, 'tags' | 'residentOfTag'>, key: IngestKey, tagId: string): { tag: Tag } | Refusal {
  const tag = registry.tags.get(tagId);
  if (!tag) return { code: 'unknown_tag', reason: `unknown tag ${tagId}` };
  if (tag.siteId !== key.siteId || (key.tagId !== null && key.tagId !== tagId)) return { code: 'forbidden_tag', reason: `this key may not report for tag ${tagId}` };
  if (!registry.residentOfTag(tagId) && !tag.staffId) return { code: 'unassigned_tag', reason: `tag ${tagId} is not assigned to a resident` };
  return { tag };
}
