import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { updateEnvFile } from './env-file.js';

describe('updateEnvFile', () => {
  const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'envfile-')), '.env.local');

  it('creates the file readable by its owner only', () => {
    const target = file();
    updateEnvFile(target, { A: '1' });
    expect(readFileSync(target, 'utf8')).toBe('A=1\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('replaces existing values and keeps every other line', () => {
    const target = file();
    writeFileSync(target, '# mine\nA=old\nKEEP=yes\n', { mode: 0o644 });
    updateEnvFile(target, { A: 'new', B: '2' });
    expect(readFileSync(target, 'utf8')).toBe('# mine\nA=new\nKEEP=yes\nB=2\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });
});
