import tseslint from 'typescript-eslint';

// Import boundaries from docs/architecture.md, enforced here so they stay true.
const noCli = { group: ['**/ops/cli.js', '**/ops/cli.ts'], message: 'nothing imports the CLI' };
const boundary = (files, groups, extra = {}) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [...groups, noCli], ...extra }] },
});
const noBullmq = [{ name: 'bullmq', message: 'only src/scheduler talks to BullMQ' }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'recordings/**', '.meetcap/**', '**/public/**', '**/*.browser.js', 'src/media/capture/page/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'max-lines': ['warn', { max: 320, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['warn', { max: 70, skipBlankLines: true, skipComments: true }],
    },
  },
  boundary(['src/contracts/**'], [{ group: ['../*', '!../contracts'], message: 'contracts import nothing internal' }], { paths: noBullmq }),
  boundary(['src/platforms/**'], [{ group: ['**/media/**', '**/session/**', '**/scheduler/**', '**/sandbox/**'], message: 'platforms never import media, session, scheduler or sandbox' }], { paths: noBullmq }),
  boundary(['src/media/**'], [{ group: ['**/platforms/**', '**/session/**', '**/scheduler/**', '**/sandbox/**'], message: 'only the session wires platforms and media together' }], { paths: noBullmq }),
  boundary(['src/session/**', 'src/config/**', 'src/observability/**'], [{ group: ['**/scheduler/**', '**/sandbox/**'], message: 'the session knows nothing of the queue or the sandbox' }], { paths: noBullmq }),
  boundary(['src/sandbox/**'], [{ group: ['**/session/**', '**/scheduler/**', '**/platforms/**', '**/media/**'], message: 'the sandbox imitates platforms; it must not share code with the bot' }], { paths: noBullmq }),
  boundary(['src/ops/**'], [], { paths: noBullmq }),
  { files: ['test/**', 'scripts/**'], rules: { 'max-lines-per-function': 'off' } },
);
