/**
 * Issue 3, "Done when", second half: the replay through net_af_packet onto a veth whose far
 * end sits in a network namespace the test creates, captured there with tcpdump, is the
 * source sequence exactly (0 missing, 0 out of order), with 1 and 2 cores; and with --tag
 * the capture alone proves it. Harness: libs/testbed (veth pair, namespace capture).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyOrder } from '@memoco/replay-check';
import { canUseNetns, captureInNamespace, createVethPair, makeTempDir, NETNS_SKIP_REASON, sharedPcap } from '@memoco/testbed';
import { TxRuntime, type ReplayOptionsInput } from './index.ts';

const netns = await canUseNetns();
const TLS = sharedPcap('pcpp__tls2.pcap');
const EXAMPLE = sharedPcap('pcpp__example.pcap');
const temp = makeTempDir('txcore-veth');
let runtime: TxRuntime;
let runs = 0;

beforeAll(() => {
  if (netns) runtime = TxRuntime.start({ workerLcores: 3 });
});
afterAll(() => temp.remove());

/** Replays onto a fresh veth, captures the far end, returns the capture and the result. */
async function replayOverVeth(trace: string, options: Omit<ReplayOptionsInput, 'trace' | 'port'>) {
  const pair = await createVethPair();
  try {
    const capture = await captureInNamespace(pair.ns, pair.nsIf, join(temp.path, `capture-${runs}.pcap`));
    const port = `net_af_packet${runs++},iface=${pair.hostIf},qdisc_bypass=1`;
    const result = await runtime.startReplay({ trace, port, topspeed: true, bufferMb: 4, ...options }).done();
    const captured = await capture.stopWhenIdle();
    return { capture: captured.file, dropped: captured.droppedByKernel, result };
  } finally {
    await pair.destroy();
  }
}

describe.skipIf(!netns)(`net_af_packet -> veth -> tcpdump in a namespace (${netns ? 'root' : NETNS_SKIP_REASON})`, () => {
  for (const [name, trace] of [['pcpp__tls2.pcap', TLS], ['pcpp__example.pcap', EXAMPLE]] as const) {
    for (const cores of [1, 2]) {
      it.skipIf(!trace)(`${name} with ${cores} core(s) arrives whole and in order${trace ? '' : ' (skipped: ../shared/data/pcaps absent)'}`, async () => {
        const { capture, dropped, result } = await replayOverVeth(trace!, { cores });
        expect(dropped).toBe(0);
        expect(result.failure).toBeUndefined();
        const check = await verifyOrder(capture, { against: trace! });
        expect(check).toMatchObject({ ok: true, missing: 0, duplicates: 0, outOfOrder: 0, matched: result.packets });
      });
    }
  }

  it.skipIf(!TLS)('--order flow with 2 cores (a socket per core): every packet once, every flow in order', async () => {
    const { capture, dropped, result } = await replayOverVeth(TLS!, { cores: 2, tag: true, order: 'flow' });
    expect(dropped).toBe(0);
    const check = await verifyOrder(capture, { tags: true, expectedCount: result.packets });
    expect(check).toMatchObject({ missing: 0, duplicates: 0, flowOutOfOrder: 0, matched: 7451 });
  });

  it.skipIf(!TLS)('with --tag and 2 cores, the capture alone shows the sequence held, per flow too', async () => {
    const { capture, dropped, result } = await replayOverVeth(TLS!, { cores: 2, tag: true });
    expect(dropped).toBe(0);
    const check = await verifyOrder(capture, { tags: true, expectedCount: result.packets });
    expect(check).toMatchObject({ ok: true, missing: 0, duplicates: 0, outOfOrder: 0, flowOutOfOrder: 0 });
  });
});
