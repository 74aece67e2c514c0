/**
 * The fidelity of a candidate trace against its original (issue 4; definitions in
 * docs/fidelity.md). EMDs are NetShare's (scipy's Wasserstein-1), then normalised per field
 * so fields and traces compare: divided by the ORIGINAL's value range (max - min), i.e. both
 * samples min-max scaled by the original's extent. NetShare itself rescales each field's EMD
 * across the methods it compares to [0.1, 0.9]; with one candidate there is no set of methods
 * to rescale over, and a fixed per-trace scale keeps "better than the baseline" unchanged.
 * The raw EMDs (bytes, packets, seconds) are reported too.
 */
import { MemocoError } from '@memoco/protocol';
import { binnedJsd, categoricalJsd, emd1d, sampleOfCounts, sampleOfValues, type WeightedSample } from './distribution-distance.ts';
import { RATE_BINS, rateNrmse, type RateBin } from './rate-series.ts';
import type { TraceProfile } from './trace-profile.ts';

export interface FidelityMetrics {
  packetsRatio: number;
  flowsRatio: number;
  /** Sum over flows of |candidate - original| packets / original packets (per-flow error weighted by packets). */
  flowCountError: number;
  rateNrmse: Record<RateBin, number>;
  pktSizeEmd: number;
  pktSizeJsd: number;
  flowSizeEmd: number;
  iatEmd: number;
  protoJsd: number;
  dstPortJsd: number;
  raw: { pktSizeEmdBytes: number; flowSizeEmdPackets: number; iatEmdSeconds: number };
  original: { packets: number; flows: number; nonIpPackets: number; durationSeconds: number };
  candidate: { packets: number; flows: number; nonIpPackets: number; durationSeconds: number };
}

function range(s: WeightedSample): number {
  return s.values.length > 0 ? s.values[s.values.length - 1]! - s.values[0]! : 0;
}

/** EMD divided by the original's range (by 1 when the original holds a single value). */
function normalisedEmd(original: WeightedSample, candidate: WeightedSample): { raw: number; normalised: number } {
  const raw = emd1d(original, candidate);
  const extent = range(original);
  return { raw, normalised: raw / (extent > 0 ? extent : 1) };
}

function interArrivals(times: Float64Array): Float64Array {
  const gaps = new Float64Array(Math.max(0, times.length - 1));
  for (let i = 1; i < times.length; i++) gaps[i - 1] = (times[i]! - times[i - 1]!) / 1e9;
  return gaps;
}

function flowCountError(original: Map<string, number>, candidate: Map<string, number>, originalPackets: number): number {
  let error = 0;
  for (const [key, count] of original) error += Math.abs((candidate.get(key) ?? 0) - count);
  for (const [key, count] of candidate) if (!original.has(key)) error += count;
  return error / originalPackets;
}

function summary(p: TraceProfile) {
  return { packets: p.ipPackets, flows: p.flowPackets.size, nonIpPackets: p.nonIpPackets, durationSeconds: p.times.length > 0 ? p.times[p.times.length - 1]! / 1e9 : 0 };
}

export function compareProfiles(original: TraceProfile, candidate: TraceProfile): FidelityMetrics {
  if (original.ipPackets === 0) throw new MemocoError('FIDELITY_ERR_NO_IP_PACKETS', 'the original trace holds no IP packets: there is nothing to compare against', { status: 400 });
  const sizes = normalisedEmd(sampleOfCounts(original.sizes), sampleOfCounts(candidate.sizes));
  const flowSizes = normalisedEmd(sampleOfValues(Float64Array.from(original.flowPackets.values())), sampleOfValues(Float64Array.from(candidate.flowPackets.values())));
  const iat = normalisedEmd(sampleOfValues(interArrivals(original.times)), sampleOfValues(interArrivals(candidate.times)));
  const rate = {} as Record<RateBin, number>;
  for (const [name, width] of Object.entries(RATE_BINS) as [RateBin, number][]) rate[name] = rateNrmse(original.times, candidate.times, width);
  return {
    packetsRatio: candidate.ipPackets / original.ipPackets,
    flowsRatio: candidate.flowPackets.size / original.flowPackets.size,
    flowCountError: flowCountError(original.flowPackets, candidate.flowPackets, original.ipPackets),
    rateNrmse: rate,
    pktSizeEmd: sizes.normalised,
    pktSizeJsd: binnedJsd(sampleOfCounts(original.sizes), sampleOfCounts(candidate.sizes)),
    flowSizeEmd: flowSizes.normalised,
    iatEmd: iat.normalised,
    protoJsd: categoricalJsd(original.protocols, candidate.protocols),
    dstPortJsd: categoricalJsd(original.dstPorts, candidate.dstPorts),
    raw: { pktSizeEmdBytes: sizes.raw, flowSizeEmdPackets: flowSizes.raw, iatEmdSeconds: iat.raw },
    original: summary(original),
    candidate: summary(candidate),
  };
}
