import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canUseNetns, captureInNamespace, createVethPair, makeTempDir, NETNS_SKIP_REASON, runCommand, sharedPcap } from '@memoco/testbed';
import { udpFrame, writePcap } from './capture-files.ts';
import { verifyOrder } from './verify-order.ts';

const netns = await canUseNetns();
const temp = makeTempDir('verify-veth');
afterAll(() => temp.remove());

/** tcpreplay the trace onto a fresh veth, tcpdump the far end in its namespace, return the capture. */
async function replayOverVeth(trace: string, name: string): Promise<{ capture: string; dropped: number }> {
  const pair = await createVethPair();
  try {
    const capture = await captureInNamespace(pair.ns, pair.nsIf, join(temp.path, name));
    await runCommand('tcpreplay', ['-q', '--topspeed', '-i', pair.hostIf, trace]);
    const result = await capture.stopWhenIdle();
    return { capture: result.file, dropped: result.droppedByKernel };
  } finally {
    await pair.destroy();
  }
}

describe.skipIf(!netns)(`verifyOrder on a real wire: tcpreplay -> veth -> tcpdump in a namespace (${netns ? 'root' : NETNS_SKIP_REASON})`, () => {
  it('finds every packet of a built trace once and in order', async () => {
    const frames = Array.from({ length: 2000 }, (_, i) => udpFrame(i % 17, i, 18 + (i % 200)));
    const trace = await writePcap(join(temp.path, 'built.pcap'), frames);
    const { capture, dropped } = await replayOverVeth(trace, 'built-capture.pcap');
    expect(dropped).toBe(0);
    expect(await verifyOrder(capture, { against: trace })).toMatchObject({ ok: true, expected: 2000, matched: 2000, missing: 0, duplicates: 0, outOfOrder: 0, flows: 17 });
  });

  const real = sharedPcap('pcpp__tls2.pcap');
  it.skipIf(!real)(`finds every packet of a real trace once and in order${real ? '' : ' (skipped: ../shared/data/pcaps/pcpp__tls2.pcap not found)'}`, async () => {
    const { capture, dropped } = await replayOverVeth(real!, 'tls2-capture.pcap');
    expect(dropped).toBe(0);
    expect(await verifyOrder(capture, { against: real! })).toMatchObject({ ok: true, expected: 7451, matched: 7451, missing: 0, duplicates: 0, outOfOrder: 0 });
  });
});
