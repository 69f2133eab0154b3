import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(import.meta.dirname, '..');

const { architecture } = (await import(new URL('../eslint.config.mjs', import.meta.url).href)) as {
  architecture: Linter.Config;
};

/** The dependency rules of eslint.config.mjs alone, without type information, on code that is not in the tree. */
function linter(): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, architecture],
  });
}

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await linter().lintText(code, { filePath });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the module layers', () => {
  it('refuses an upward import: identity (layer 1) reaching into billing (layer 5)', async () => {
    const found = await problems(
      "import { BillingService } from '../billing/billing.service.js';\nexport const probe = BillingService;\n",
      path.join(ROOT, 'src/identity/probe.ts'),
    );
    expect(found).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*src\/identity is in layer 1/)]);
  });

  it('lets a module import from below: billing (layer 5) using identity (layer 1)', async () => {
    const found = await problems(
      "import { TenantsService } from '../identity/tenants.service.js';\nexport const probe = TenantsService;\n",
      path.join(ROOT, 'src/billing/probe.ts'),
    );
    expect(found).toEqual([]);
  });

  it('keeps every domain module away from the Stripe emulator', async () => {
    const found = await problems(
      "import { startStripeEmulator } from '../stripe-emulator/emulator.js';\nexport const probe = startStripeEmulator;\n",
      path.join(ROOT, 'src/billing/probe.ts'),
    );
    expect(found).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths:/)]);
  });

  it('refuses an import cycle', async () => {
    // Inside the project (ESLint lints nothing outside its base path); .vitest-*/ is git-ignored.
    const dir = mkdtempSync(path.join(ROOT, '.vitest-cycle-'));
    try {
      writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
      writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
      const found = await problems("import { b } from './b.js';\nexport const a = () => b;\n", path.join(dir, 'a.ts'));
      expect(found).toEqual([expect.stringMatching(/^import-x\/no-cycle:/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
