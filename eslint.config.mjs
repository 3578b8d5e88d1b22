// Lint: typescript-eslint's recommended type-aware rules, no floating promises, and the layering
// rule: the engine (src/core), the simulator and the webview never import `vscode`; no function in src/ over 100 lines.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'media/gen/**',
      'node_modules/**',
      '.vscode-test/**',
      'test/vscode/**',
      'test/webview/**',
      'esbuild.js',
    ],
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
  { files: ['eslint.config.mjs'], ...tseslint.configs.disableTypeChecked },
);
