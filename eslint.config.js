// ESLint flat config: the page's modules run in browsers, the tests and tools under Node.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'src/digitdraw/app/web/vendor/', '.venv/', 'build/', 'artifacts/'] },
  js.configs.recommended,
  {
    files: ['src/digitdraw/app/web/js/**/*.js'],
    languageOptions: { ecmaVersion: 2025, sourceType: 'module', globals: { ...globals.browser, tf: 'readonly', Chart: 'readonly' } },
  },
  {
    files: ['src/digitdraw/app/sw.js'],
    languageOptions: { ecmaVersion: 2025, sourceType: 'script', globals: { ...globals.serviceworker, BUILD: 'readonly' } },
  },
  {
    files: ['src/digitdraw/app/bundles/**/*.js'],
    languageOptions: { ecmaVersion: 2025, sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['tests/**/*.js', 'tests/**/*.mjs', 'eslint.config.js', 'src/digitdraw/app/bundles/build.mjs'],
    languageOptions: { ecmaVersion: 2025, sourceType: 'module', globals: globals.node },
  },
  { rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }], eqeqeq: ['error', 'smart'], 'prefer-const': 'error' } },
];
