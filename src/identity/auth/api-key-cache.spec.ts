import type { PgNotifications } from '../../database/pg-notifications.js';
import { ApiKeyCache } from './api-key-cache.js';

const KEY = { id: 'key-1', tenantId: 'tenant-1', env: 'test' as const, role: 'member' as const };

describe('ApiKeyCache', () => {
  afterEach(() => vi.useRealTimers());

  it('still knows a key verified before once its entry expired, until it is revoked', () => {
    vi.useFakeTimers();
    const cache = new ApiKeyCache({} as PgNotifications);
    expect(cache.verifiedBefore('hash')).toBe(false);
    cache.remember('hash', KEY, cache.currentGeneration);
    vi.advanceTimersByTime(61_000);
    expect(cache.get('hash')).toBeUndefined();
    expect(cache.verifiedBefore('hash')).toBe(true);
    cache.forget([KEY.id]);
    expect(cache.verifiedBefore('hash')).toBe(false);
  });
});
