import { defineConfig } from 'vitest/config';

// One vitest run covers unit specs next to the code and the cross-service tests in test/.
// Tests that start DPDK, nats-server or Postgres run in forked processes (one EAL per process).
export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.spec.ts', 'libs/*/src/**/*.spec.ts', 'native/*/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
