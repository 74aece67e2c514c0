import type { ErrorRegistry } from '@memoco/protocol';

/** Codes of @memoco/testbed: a real server or namespace the tests need could not be set up. */
export const TESTBED_ERRORS = {
  TESTBED_ERR_START_FAILED: { description: 'A test server (nats-server, PostgreSQL) did not start or did not become ready in time; the message carries the end of its log.' },
  TESTBED_ERR_NOT_ROOT: { description: 'Network namespaces and veth pairs need root (CAP_NET_ADMIN); the test harness was run without it.' },
  TESTBED_ERR_COMMAND_FAILED: { description: 'A helper command the test harness runs (ip, tcpdump, initdb, an anchor script) exited with an error; the message carries its stderr.' },
  TESTBED_ERR_BAD_OPTIONS: { description: 'Options given to a test-harness function contradict each other or are out of range.' },
} as const satisfies ErrorRegistry;

export type TestbedErrorCode = keyof typeof TESTBED_ERRORS;
