import { nestsDeeperThan } from './json-depth.js';

describe('nestsDeeperThan', () => {
  it('counts objects and arrays inside one another, not side by side', () => {
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[[]]}]}', 4)).toBe(true);
    expect(nestsDeeperThan(`[${'[],'.repeat(100)}[]]`, 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(`["\\"[[[[[[", "\\\\", "{{{{{{"]`, 1)).toBe(false);
    expect(nestsDeeperThan(`["\\\\", [[]]]`, 2)).toBe(true);
  });
});
