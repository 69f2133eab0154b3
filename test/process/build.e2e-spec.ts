import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { scratchDir } from '../support/service-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A project of two source files with this checkout's build script and tools. */
function project(): { dir: string; build: () => void; write: (file: string, text: string) => void } {
  const dir = scratchDir();
  mkdirSync(path.join(dir, 'src'));
  mkdirSync(path.join(dir, 'migrations'));
  mkdirSync(path.join(dir, 'scripts'));
  for (const file of ['.swcrc', 'package-lock.json', 'scripts/build.mjs'])
    copyFileSync(path.join(ROOT, file), path.join(dir, file));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const write = (file: string, text: string) => writeFileSync(path.join(dir, file), text);
  write('src/a.ts', 'export const a: number = 1;\n');
  write('migrations/1-first.ts', 'export const first = 1;\n');
  return {
    dir,
    write,
    build: () => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'pipe' }),
  };
}

describe('npm run build', () => {
  it('builds once, then leaves dist/ alone while nothing changed', () => {
    const { dir, build } = project();
    build();
    const built = statSync(path.join(dir, 'dist/src/a.js'));
    build();
    expect(statSync(path.join(dir, 'dist/src/a.js')).mtimeMs).toBe(built.mtimeMs);
  });

  it('rebuilds what changed into the same dist/, and removes only output whose source is gone', () => {
    const { dir, build, write } = project();
    write('src/b.ts', 'export const b = 2;\n');
    build();
    const dist = statSync(path.join(dir, 'dist')).ino;
    write('src/a.ts', 'export const a: number = 3;\n');
    unlinkSync(path.join(dir, 'src/b.ts'));
    build();
    expect(readFileSync(path.join(dir, 'dist/src/a.js'), 'utf8')).toContain('a = 3');
    expect(existsSync(path.join(dir, 'dist/src/b.js'))).toBe(false);
    expect(existsSync(path.join(dir, 'dist/migrations/1-first.js'))).toBe(true);
    // The same directory: a running instance's dist/ is never deleted under it.
    expect(statSync(path.join(dir, 'dist')).ino).toBe(dist);
  });
});
