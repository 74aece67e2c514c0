import type { NativeTsFlow, NativeTsReplayConfig } from './native-binding.ts';
import type { TsFlowTuple, TsReplayOptions } from './ts-replay-options.ts';

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function nativeFlow(t: TsFlowTuple): NativeTsFlow {
  return {
    srcMac: t.srcMac.replaceAll(':', ''), dstMac: t.dstMac.replaceAll(':', ''),
    srcIp: ipv4Number(t.srcIp), dstIp: ipv4Number(t.dstIp), srcPort: t.srcPort, dstPort: t.dstPort,
  };
}

/** The flat object ts-replay-napi-config.cc reads, from options parseTsReplayOptions checked. */
export function nativeTsConfig(o: TsReplayOptions): NativeTsReplayConfig {
  return {
    portDevargs: o.port.devargs,
    portName: o.port.name,
    txDescriptors: o.txDescriptors,
    ringSlots: o.ringSlots,
    burst: o.burst,
    lateThresholdNs: o.lateUs * 1000,
    archivePath: o.archive,
    bufferBytes: o.bufferMb * 1024 * 1024,
    workers: o.workers,
    queueSlots: o.queueSlots,
    tx: o.tx,
    oooThreads: o.ooo?.threads ?? 0,
    timing: o.timing.mode,
    fastForward: o.timing.mode === 'timestamps' ? o.timing.fastForward : 1,
    tightLoopNs: o.timing.mode === 'tight-loop' ? o.timing.intervalNs : 0,
    driftUs: o.driftUs ?? -1,
    oooProbability: o.ooo?.probability ?? 0,
    oooWindowUs: o.ooo?.windowUs ?? 0,
    seed: o.seed,
    payload: o.payload,
    perFlow: o.perFlow,
    leadUs: o.leadUs,
    txPriority: o.txPriority,
    flowRule: o.flowRule,
    base: nativeFlow(o.base),
    mappedFlows: (o.flowMap?.flows ?? []).map(nativeFlow),
    mappedDevices: (o.flowMap?.devices ?? []).map((d) => ({ id: Buffer.from(d.id).toString('hex'), flow: d.flow })),
  };
}
