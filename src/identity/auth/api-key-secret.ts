import { hash, randomBytes } from 'node:crypto';
import type { StripeEnv } from '../../config/app-config.js';

const API_KEY_PATTERN = /^bk_(test|live)_[A-Za-z0-9_-]{43}$/;
const VISIBLE_PREFIX_LENGTH = 'bk_test_'.length + 8;

export const looksLikeApiKey = (token: string) => token.startsWith('bk_test_') || token.startsWith('bk_live_');

export const isWellFormedApiKey = (token: string) => API_KEY_PATTERN.test(token);

/** One-shot hash: no Hash object per request. */
export const hashApiKey = (key: string): Buffer => hash('sha256', key, 'buffer');

/** 32 random bytes behind the env prefix; only the hash and the visible prefix are stored. */
export function generateApiKey(env: StripeEnv): { key: string; prefix: string; hash: Buffer } {
  const key = `bk_${env}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, VISIBLE_PREFIX_LENGTH), hash: hashApiKey(key) };
}
