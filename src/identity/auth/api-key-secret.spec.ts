import { createHash } from 'node:crypto';
import { generateApiKey, hashApiKey, isWellFormedApiKey, looksLikeApiKey } from './api-key-secret.js';

describe('API key secrets', () => {
  it('carries the env in its prefix and 32 random bytes after it', () => {
    const { key } = generateApiKey('live');
    expect(key).toMatch(/^bk_live_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice('bk_live_'.length), 'base64url')).toHaveLength(32);
  });

  it('keeps a short visible prefix and a SHA-256 hash', () => {
    const { key, prefix, hash } = generateApiKey('test');
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix).toHaveLength(16);
    expect(hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    expect(hashApiKey(key).equals(hash)).toBe(true);
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey('test').key));
    expect(keys.size).toBe(200);
  });

  it('tells API keys from JWTs and rejects malformed keys', () => {
    expect(looksLikeApiKey('bk_test_x')).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOi')).toBe(false);
    expect(isWellFormedApiKey('bk_test_short')).toBe(false);
    expect(isWellFormedApiKey(generateApiKey('test').key)).toBe(true);
  });
});
