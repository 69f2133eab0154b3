const KEY_PATTERNS: Array<[RegExp, string]> = [
  [/\b(bk_(?:test|live)_)[A-Za-z0-9_-]{8,}/g, '$1[redacted]'],
  [/\b((?:sk|rk)_(?:test|live)_)[A-Za-z0-9]{8,}/g, '$1[redacted]'],
  [/\b(whsec_)[A-Za-z0-9]{8,}/g, '$1[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, '[redacted-jwt]'],
];

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes secrets from a serialized log line: anything shaped like one of our or Stripe's keys,
 * any JWT, and the exact values of every configured secret (as written and as JSON-escaped).
 */
export function createSecretScrubber(secretValues: string[]): (line: string) => string {
  const literals = secretValues.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]);
  const exact = literals.length ? new RegExp([...new Set(literals)].map(escapeRegExp).join('|'), 'g') : undefined;
  return (line) => {
    let scrubbed = exact ? line.replace(exact, '[redacted]') : line;
    for (const [pattern, replacement] of KEY_PATTERNS) scrubbed = scrubbed.replace(pattern, replacement);
    return scrubbed;
  };
}
