/**
 * Issue 3, "Bad input": each failure is one coded line, against the real EAL and vdevs.
 * A corrupt trace stops the replay and reports what was sent; after every failure the next
 * run still works (ports are removed, the run slot is freed).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TxRuntime } from './index.ts';
import { loadAddon } from './native-binding.ts';
import { corruptPcapRecord } from './test-support/craft-pcap.ts';
import { frameDigests } from './test-support/frame-digests.ts';
import { CORPUS, CORPUS_SKIP } from './test-support/shared-corpus.ts';

let runtime: TxRuntime;
let dir: string;
const EXAMPLE = CORPUS.find((f) => f.endsWith('pcpp__example.pcap'));

beforeAll(() => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-bad-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(fn: () => unknown): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('ports', () => {
  it('an unknown driver is refused before DPDK sees it', async () => {
    const e = await failure(() => runtime.startReplay({ trace: EXAMPLE ?? 'x', port: 'net_nope0' }));
    expect(e.code).toBe('TXCORE_ERR_PORT_SPEC');
  });

  it.skipIf(!EXAMPLE)('a vdev that fails to attach carries DPDK\'s own reason', async () => {
    const e = await failure(() => runtime.startReplay({ trace: EXAMPLE!, port: 'net_pcap9,tx_pcap=/nonexistent/dir/out.pcap' }));
    expect(e.code).toBe('TXCORE_ERR_PORT_PROBE');
    expect(e.message).toContain("Couldn't open /nonexistent/dir/out.pcap for writing");
    const e2 = await failure(() => runtime.startReplay({ trace: EXAMPLE!, port: 'net_af_packet9,iface=nosuchif9' }));
    expect(e2.code).toBe('TXCORE_ERR_PORT_PROBE');
    expect(e2.message).toMatch(/No such device/);
  });
});

describe.skipIf(!EXAMPLE)(`traces ${EXAMPLE ? '' : CORPUS_SKIP}`, () => {
  it('a missing file and a file that is not a capture', async () => {
    expect((await failure(() => runtime.startReplay({ trace: join(dir, 'absent.pcap'), port: 'net_null0' }))).code).toBe('TXCORE_ERR_TRACE_OPEN');
    const text = join(dir, 'text.pcap');
    writeFileSync(text, 'hello, not a pcap at all\n');
    const e = await failure(() => runtime.startReplay({ trace: text, port: 'net_null0' }));
    expect(e.code).toBe('TXCORE_ERR_TRACE_FORMAT');
    expect(e.details).toMatchObject({ offset: 0, record: 0 });
  });

  it('a record corrupt mid-way stops the replay; the packets before it are in the output', async () => {
    const bad = join(dir, 'corrupt.pcap');
    const offset = corruptPcapRecord(EXAMPLE!, bad, 3000, 0x7fffffff);
    const out = join(dir, 'corrupt-out.pcap');
    const result = await runtime.startReplay({ trace: bad, port: `net_pcap1,tx_pcap=${out}`, cores: 2, topspeed: true, bufferMb: 1 }).done();
    expect(result.failure?.code).toBe('TXCORE_ERR_TRACE_CORRUPT');
    expect(result.failure?.details).toMatchObject({ offset, record: 3000, sentPackets: 3000 });
    expect(result.failure?.message).toMatch(/captured length 2147483647 exceeds 262144 \(record 3000, offset \d+\)/);
    expect(result.packets).toBe(3000);
    const source = (await frameDigests(EXAMPLE!)).digests.slice(0, 3000);
    expect((await frameDigests(out)).digests).toEqual(source);
  });
});

describe('runtime', () => {
  it('more cores than worker lcores is refused', async () => {
    const e = await failure(() => runtime.startReplay({ trace: EXAMPLE ?? __filename, port: 'net_null0', cores: 3, drain: 'lcore' }));
    expect(e.code).toBe('TXCORE_ERR_LCORES');
  });

  it('EAL starts once: a second start with other options is refused, a compatible one reuses it', async () => {
    expect(TxRuntime.start({ workerLcores: 2 })).toBe(runtime);
    expect((await failure(() => TxRuntime.start({ workerLcores: 2, hugepages: true }))).code).toBe('TXCORE_ERR_EAL_INIT');
  });

  it.skipIf(!EXAMPLE)('after all these failures a replay still runs', async () => {
    const result = await runtime.startReplay({ trace: EXAMPLE!, port: 'net_null0', topspeed: true }).done();
    expect(result).toMatchObject({ packets: 4631, stopped: false });
    expect(result.failure).toBeUndefined();
  });
});

describe('loading the addon', () => {
  it('a missing build says to build it', async () => {
    expect((await failure(() => loadAddon(join(dir, 'none.node')))).code).toBe('TXCORE_ERR_ADDON_MISSING');
  });

  it('missing DPDK libraries (a real dlopen failure) say to install dpdk', async () => {
    // An addon linked against a DPDK-like library that is then removed: what a machine without
    // Debian's dpdk package sees when it loads txcore.node.
    const lib = join(dir, 'librte_memoco_gone.so.23');
    writeFileSync(join(dir, 'lib.c'), 'int memoco_gone(void) { return 1; }\n');
    writeFileSync(join(dir, 'addon.c'), 'extern int memoco_gone(void); int use(void) { return memoco_gone(); }\n');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', lib, join(dir, 'lib.c'), '-Wl,-soname,librte_memoco_gone.so.23']);
    copyFileSync(lib, join(dir, 'librte_memoco_gone.so'));
    const addon = join(dir, 'fake.node');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', addon, join(dir, 'addon.c'), `-L${dir}`, '-lrte_memoco_gone']);
    rmSync(lib);
    const e = await failure(() => loadAddon(addon));
    expect(e.code).toBe('TXCORE_ERR_DPDK_MISSING');
    expect(e.message).toContain('librte_memoco_gone.so.23');
  });
});
