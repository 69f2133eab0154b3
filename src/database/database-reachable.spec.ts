import { maskedUrl } from './database-reachable.js';

describe('maskedUrl', () => {
  it('hides the password wherever the URL carries it', () => {
    expect(maskedUrl('postgres://billing:hunter22@db:5432/billing')).toBe('postgres://billing:***@db:5432/billing');
    expect(maskedUrl('postgres://billing@db/billing?password=hunter22&sslmode=require')).toBe('postgres://billing@db/billing?password=***&sslmode=require');
    expect(maskedUrl('not a url hunter22')).toBe('DATABASE_URL');
  });
});
