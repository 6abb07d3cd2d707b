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
    files: ['tests/**/*.js', 'tests/**/*.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2025, sourceType: 'module', globals: globals.node },
  },
  { rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }], eqeqeq: ['error', 'smart'], 'prefer-const': 'error' } },
];
