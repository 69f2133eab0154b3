// npm run build (also before npm start, npm run cli and npm run stripe:emulator): compiles src/ and
// migrations/ into dist/ when they changed since the last build, and does nothing otherwise. dist/
// is never deleted, so a running instance keeps its files; only output whose source is gone is
// removed. `--force` builds even when nothing changed. Without the build tools (a production image)
// it uses the dist/ the image was built with.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SOURCES = ['src', 'migrations'];
const INPUTS = [...SOURCES, '.swcrc', 'package-lock.json'];
const STAMP = 'dist/.build-inputs';
const SWC = 'node_modules/.bin/swc';

const filesUnder = (entry) =>
  !existsSync(entry)
    ? []
    : statSync(entry).isDirectory()
      ? readdirSync(entry, { recursive: true, withFileTypes: true })
          .filter((dirent) => dirent.isFile())
          .map((dirent) => path.join(dirent.parentPath, dirent.name))
      : [entry];

/** What the build reads, by path, size and modification time: a checkout or an edit changes it. */
function inputsFingerprint() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder).sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** dist/src/a/b.js (and .js.map) come from src/a/b.ts; a copied file comes from the same path. */
function sourceOf(output) {
  const relative = path.relative('dist', output);
  const compiled = relative.replace(/\.js(\.map)?$/, '.ts');
  return compiled !== relative ? [compiled, relative.replace(/\.map$/, '')] : [relative];
}

function pruneOrphans() {
  for (const output of SOURCES.flatMap((dir) => filesUnder(path.join('dist', dir)))) {
    if (!sourceOf(output).some((source) => existsSync(source))) unlinkSync(output);
  }
}

const fingerprint = inputsFingerprint();
const force = process.argv.includes('--force');
if (!force && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === fingerprint) process.exit(0);
if (!existsSync(SWC)) {
  if (existsSync('dist/src/main.js')) process.exit(0);
  process.stderr.write('dist/ is missing and the build tools are not installed: run `npm install` first.\n');
  process.exit(1);
}
execFileSync(SWC, [...SOURCES, '--out-dir', 'dist', '--config-file', '.swcrc', '--copy-files', '--quiet'], {
  stdio: ['ignore', process.stderr, 'inherit'],
});
pruneOrphans();
writeFileSync(STAMP, fingerprint);
