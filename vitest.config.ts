import { defineConfig } from 'vitest/config';

import { IntegrationSequencer } from './test/integration/sequencer.js';

// Two projects: `unit` runs anywhere with the host's Node; `integration` talks to
// a real BITS service, so it runs on Windows, or under Wine with Windows Node
// (scripts/test.mjs sets that up). Files run one after another there: they share
// one BITS queue and one wineserver.
export default defineConfig({
  test: {
    // Applies to the files of both projects; only the integration order matters.
    sequence: { sequencer: IntegrationSequencer },
    projects: [
      // child-coverage.ts: in a measured run, the processes tests start are measured too.
      // compile-lib.ts: lib/ built once for the tests that run it in child processes.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/support/child-coverage.ts'], globalSetup: ['test/support/compile-lib.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Each test first checks that the BITS service is still there.
          setupFiles: ['test/support/child-coverage.ts', 'test/integration/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          // lifecycle.test.ts checks that garbage collection releases COM references.
          execArgv: ['--expose-gc'],
        },
      },
    ],
  },
});
