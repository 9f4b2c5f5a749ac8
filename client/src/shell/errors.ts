/**
 * A failed call in the words of the UI's language. The server answers `{error: "<English sentence>"}` (and
 * `code` where it has one) with a status; the status and code carry the meaning, the sentence is for logs.
 */
import { ApiError } from '../api';
import { t, type MessageKey } from '../i18n';
import type { Locale } from '../state/types';

const BY_CODE: Record<string, MessageKey> = {
  forbidden: 'errForbidden',
  not_found: 'errNotFound',
  unauthorized: 'errSession',
  conflict: 'errConflict',
  rate_limited: 'errRateLimited',
  family_position_closed: 'errFamilyPositionClosed',
};

export function errorText(locale: Locale, err: unknown): string {
  if (err instanceof ApiError) {
    const byCode = err.code ? BY_CODE[err.code] : undefined;
    if (byCode) return t(locale, byCode);
    if (err.status === 403 && /family only while/i.test(err.message)) return t(locale, 'errFamilyPositionClosed');
    if (err.status === 401) return t(locale, 'errSession');
    if (err.status === 403) return t(locale, 'errForbidden');
    if (err.status === 404) return t(locale, 'errNotFound');
    if (err.status === 409) return t(locale, 'errConflict');
    if (err.status === 429) return t(locale, 'errRateLimited');
    if (err.status >= 500) return t(locale, 'errServer');
    // a 400 names the field that was wrong: worth showing as it is
    return t(locale, 'errBadRequest', { message: err.message });
  }
  // fetch() rejects with a TypeError when the network is down
  if (err instanceof TypeError) return t(locale, 'errNetwork');
  return t(locale, 'errServer');
}
