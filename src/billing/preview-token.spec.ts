import { signPreview, verifyPreview } from './preview-token.js';

const claims = { tenantId: 't1', env: 'test', subscriptionId: 'sub_1', planId: 'pro', prorationDate: 1_800_000_000 };

describe('preview tokens', () => {
  it('verify for exactly what was previewed', () => {
    expect(verifyPreview('sk_test_a', claims, signPreview('sk_test_a', claims))).toBe(true);
  });

  it.each([
    ['another proration date', { ...claims, prorationDate: 1_800_000_999 }],
    ['another plan', { ...claims, planId: 'enterprise' }],
    ['another tenant', { ...claims, tenantId: 't2' }],
  ])('do not verify for %s', (_name, other) => {
    expect(verifyPreview('sk_test_a', other, signPreview('sk_test_a', claims))).toBe(false);
  });

  it('do not verify with another key, or after 15 minutes, or when malformed', () => {
    const token = signPreview('sk_test_a', claims, Date.now() - 16 * 60_000);
    expect(verifyPreview('sk_test_a', claims, token)).toBe(false);
    expect(verifyPreview('sk_test_b', claims, signPreview('sk_test_a', claims))).toBe(false);
    expect(verifyPreview('sk_test_a', claims, 'garbage')).toBe(false);
  });
});
