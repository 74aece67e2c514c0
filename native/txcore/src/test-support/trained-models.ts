import { join } from 'node:path';
import { generateTraceFile, loadFlowModel, trainModel, type GenerateOptions, type LoadedModel } from '@memoco/flow-model';
import { repoRoot } from '@memoco/testbed';
import { CORPUS } from './shared-corpus.ts';

/** The capture the repository carries itself (samples/), so these specs always run. */
export const SAMPLE_TLS = join(repoRoot(), 'samples', 'pcpp__tls2.pcap');

/** Shared-corpus captures with something each model family must get right (empty without ../shared). */
export const CORPUS_MODELS: readonly string[] = [
  'pcpp__example.pcap', // TCP and UDP, 136 flows
  'stratosphere__test7-malicious.pcap', // ICMP, ICMPv6, IGMP, IPv6 UDP, a 642 s window
  'pcpp__sll.pcap', // Linux SLL link type: templates get synthetic MACs
  'suricata__filecontainer-smb-vlan.pcap', // VLAN-tagged templates
  'zeek__smb3_multichannel.pcap', // frames up to 16 KB: the jumbo-mbuf path
  'zeek__modbusBig.pcap', // 13k packets in 3 flows
].flatMap((name) => CORPUS.filter((f) => f.endsWith(name)));

/** Trains a model of `trace` in memory; a small `maxModelBytes` forces flow classes. */
export async function trainedModel(trace: string, options: { maxModelBytes?: number } = {}): Promise<LoadedModel> {
  const { bytes } = await trainModel(trace, options);
  return loadFlowModel(bytes);
}

/** What `memoco generate -o` writes for the model and options (the reference). */
export async function generatedTrace(model: LoadedModel, out: string, options: Partial<GenerateOptions>): Promise<string> {
  await generateTraceFile(model, out, options);
  return out;
}
