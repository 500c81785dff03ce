import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Layering (DESIGN.md): only main/electron may import electron; renderer never imports node modules.
    files: ['main/**/*.ts', 'devices/**/*.ts', 'journals/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/electron/ may import electron.' }] }] },
  },
  {
    files: ['renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'child_process', 'electron', 'better-sqlite3', 'ws'], message: 'The renderer is untrusted: no Node or Electron modules.' },
        { regex: '^(\\.\\./)+main/(?!common/)', message: 'The renderer may only import main/common.' },
      ] }],
    },
  },
);
