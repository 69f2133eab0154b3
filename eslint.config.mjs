// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The module layers of docs/ARCHITECTURE.md (shared/docs): a module imports only from its own
 * layer and those below. What must travel upward goes through src/common/events.
 */
const LAYERS = [
  ['common', 'config', 'database', 'observability', 'internals'],
  ['identity'],
  ['plans'],
  ['usage'],
  ['entitlements'],
  ['billing'],
  ['audit', 'billing-stream'],
  ['api-docs', 'summarize', 'health', 'startup', 'cli'],
];

const above = (layer) => LAYERS.slice(layer + 1).flat();

/** One zone per module: nothing above it, and never the Stripe emulator (a development tool only start-up may load). */
const layerZones = LAYERS.flatMap((modules, layer) =>
  modules.map((module) => ({
    target: `./src/${module}`,
    from: [
      ...above(layer).map((higher) => `./src/${higher}`),
      ...(module === 'startup' ? [] : ['./src/stripe-emulator']),
    ],
    message: `src/${module} is in layer ${layer} of the architecture: it may import only from its own layer and below (send anything upward through src/common/events).`,
  })),
).filter((zone) => zone.from.length > 0);

/** The emulator stands on its own: it imports nothing of the service, so it stays faithful to Stripe rather than to us. */
const emulatorZone = {
  target: './src/stripe-emulator',
  from: LAYERS.flat().map((module) => `./src/${module}`),
  message: 'The Stripe emulator imports nothing of the service.',
};

/** The dependency rules alone: also what test/architecture.e2e-spec.ts shows failing on an upward import and a cycle. */
export const architecture = {
  plugins: { 'import-x': importX },
  settings: {
    // Without these, import-x does not parse the .ts files an import leads to, and sees no cycle.
    'import-x/extensions': ['.ts', '.js', '.mjs'],
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
  },
  rules: {
    'import-x/no-cycle': 'error',
    'import-x/no-restricted-paths': ['error', { zones: [...layerZones, emulatorZone] }],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.data/', '**/*.d.ts'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  architecture,
  {
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: an async function without an await still returns the promise its interface promises
      // (Nest lifecycle hooks, a handler table whose entries mostly await); the promise rules above
      // are what catch a real mistake.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // SQL lives in repositories (and in the database plumbing and the emulator, which have none).
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.repository.ts', 'src/database/**', 'src/stripe-emulator/**', 'src/**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query'][arguments.0.type=/Literal|TemplateLiteral/]",
          message: 'SQL belongs in a *.repository.ts file of the module that owns the table.',
        },
      ],
    },
  },
  {
    // Tests read JSON bodies, and the emulator handles Stripe's objects as loose records on purpose
    // (it must accept and return whatever Stripe's API does): `any` is their honest type.
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'src/stripe-emulator/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
