// Rebuilds dist/ from source when the build tools are installed (a development checkout), so
// `npm run cli` always runs the current code; in a production image (no dev dependencies) it
// uses the dist/ the image was built with.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync('node_modules/@swc/cli')) {
  execSync('npm run --silent build', { stdio: ['ignore', process.stderr, 'inherit'] });
} else if (!existsSync('dist/src/main.js')) {
  process.stderr.write('dist/ is missing and the build tools are not installed: run `npm install` first.\n');
  process.exit(1);
}
