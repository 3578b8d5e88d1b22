// Lint: typescript-eslint's recommended type-aware rules, no floating promises, and the layering
// rule: the engine (src/core), the simulator and the webview never import `vscode`; no function in src/ over 100 lines.
// The JavaScript suites, scripts and the build script are linted type-aware too (their types from JSDoc, through
// tsconfig.tests-js.json).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'media/gen/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      curly: 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/sim/**/*.ts', 'src/shared/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message: 'The engine, the simulator and the webview must not depend on VS Code (see src/host).',
            },
          ],
        },
      ],
    },
  },
  {
    // Short orchestration: a function that outgrows a screenful is split into named steps.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100 }] },
  },
  {
    // CommonJS with JSDoc types, checked by tsconfig.tests-js.json. page.evaluate results and parsed JSON are
    // untyped there, so the no-unsafe-* rules, which need a type everywhere, are off; the promise, equality,
    // unused-code and curly rules apply as in TypeScript.
    files: ['**/*.js', 'test/webview/*.d.ts', 'test/vscode/*.d.ts'],
    languageOptions: {
      sourceType: 'commonjs',
      parserOptions: {
        projectService: false,
        project: ['./tsconfig.tests-js.json'],
      },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['eslint.config.mjs'], ...tseslint.configs.disableTypeChecked },
);
