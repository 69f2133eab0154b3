import { createSecretScrubber } from './secret-scrubber.js';

describe('secret scrubber', () => {
  const scrub = createSecretScrubber(['configured-secret-value', 'quote"secret']);

  it('removes configured secret values wherever they appear', () => {
    expect(scrub('{"msg":"failed with configured-secret-value"}')).toBe('{"msg":"failed with [redacted]"}');
  });

  it('removes JSON-escaped forms of configured secrets', () => {
    expect(scrub(JSON.stringify({ msg: 'x quote"secret y' }))).toBe('{"msg":"x [redacted] y"}');
  });

  it('keeps only the prefix of API keys and Stripe keys', () => {
    const line = 'bk_live_abcdefghijklmnopqrstuvwxyz sk_test_1234567890abcd whsec_abcdefghijkl';
    expect(scrub(line)).toBe('bk_live_[redacted] sk_test_[redacted] whsec_[redacted]');
  });

  it('removes JWTs', () => {
    expect(scrub('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl end')).toBe('token [redacted-jwt] end');
  });

  it('leaves ordinary lines alone', () => {
    expect(scrub('{"msg":"request completed","statusCode":200}')).toBe('{"msg":"request completed","statusCode":200}');
  });
});
