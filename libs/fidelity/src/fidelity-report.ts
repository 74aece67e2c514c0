/**
 * `memoco fidelity --report out.html`: one self-contained HTML page (inline SVG, no scripts,
 * no external assets, readable offline) with the metrics table, the two rate series over
 * each other at 100 ms and 1 s, and the distributions side by side.
 */
import { autoBinEdges, binCounts, sampleOfCounts, sampleOfValues } from './distribution-distance.ts';
import type { FidelityMetrics } from './fidelity-metrics.ts';
import { binsCovering, RATE_BINS, rateSeries } from './rate-series.ts';
import { barChart, decimate, escapeXml, lineChart, type Series } from './svg-charts.ts';
import type { TraceProfile } from './trace-profile.ts';

const ORIGINAL_COLOR = '#377eb8';
const CANDIDATE_COLOR = '#ff7f00';
const TOP_PORTS = 12;
/** Points per line: longer series are averaged in groups (the metrics use every point). */
const MAX_POINTS = 3000;

export interface ReportInput {
  originalName: string;
  candidateName: string;
  original: TraceProfile;
  candidate: TraceProfile;
  metrics: FidelityMetrics;
}

function rateChart(input: ReportInput, label: '100ms' | '1s'): string {
  const width = RATE_BINS[label];
  const bins = Math.max(binsCovering(input.original.times, width), binsCovering(input.candidate.times, width));
  const x = Float64Array.from({ length: bins }, (_, i) => (i * width) / 1e9);
  const scale = 1e9 / width;
  const series = (name: string, color: string, times: Float64Array): Series => ({ name, color, ...decimate(x, rateSeries(times, width, bins).map((c) => c * scale), MAX_POINTS) });
  return lineChart([series(input.originalName, ORIGINAL_COLOR, input.original.times), series(input.candidateName, CANDIDATE_COLOR, input.candidate.times)], {
    title: `Aggregate packet rate, ${label} bins (NRMSE ${input.metrics.rateNrmse[label].toFixed(4)})`,
    xLabel: 'seconds from the first IP packet',
    yLabel: 'packets/s',
  });
}

/** The empirical CDF at no more than MAX_POINTS evenly spaced ranks. */
function cdf(values: Float64Array): { x: Float64Array; y: Float64Array } {
  const s = sampleOfValues(values);
  const step = Math.max(1, Math.ceil(s.values.length / MAX_POINTS));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < s.values.length; i += step) {
    x.push(s.values[i]!);
    y.push((i + 1) / values.length);
  }
  if (s.values.length > 0 && x[x.length - 1] !== s.values[s.values.length - 1]) {
    x.push(s.values[s.values.length - 1]!);
    y.push(1);
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y) };
}

function cdfChart(title: string, xLabel: string, a: Float64Array, b: Float64Array, names: [string, string], logX: boolean): string {
  const ca = cdf(a);
  const cb = cdf(b);
  return lineChart(
    [
      { name: names[0], color: ORIGINAL_COLOR, ...ca },
      { name: names[1], color: CANDIDATE_COLOR, ...cb },
    ],
    { title, xLabel, yLabel: 'CDF', logX, steps: true },
  );
}

function sizeChart(input: ReportInput): string {
  const original = sampleOfCounts(input.original.sizes);
  const edges = autoBinEdges(original);
  const o = binCounts(original, edges);
  const c = binCounts(sampleOfCounts(input.candidate.sizes), edges);
  const labels = ['<', ...Array.from({ length: edges.length - 1 }, (_, i) => `${Math.round(edges[i]!)}`), '>'];
  const share = (v: Float64Array) => v.map((x) => x / Math.max(1, v.reduce((s, n) => s + n, 0)));
  return barChart(labels, [
    { name: input.originalName, color: ORIGINAL_COLOR, values: share(o) },
    { name: input.candidateName, color: CANDIDATE_COLOR, values: share(c) },
  ], { title: `Packet size (JSD ${input.metrics.pktSizeJsd.toFixed(4)}, bins as NetShare: numpy 'auto' on the original)`, xLabel: 'wire bytes (bin start)', yLabel: 'share of packets' });
}

function categoryChart(title: string, xLabel: string, a: Map<number, number>, b: Map<number, number>, names: [string, string], limit: number): string {
  const keys = [...a.keys()].sort((x, y) => a.get(y)! - a.get(x)! || x - y).slice(0, limit);
  const ta = [...a.values()].reduce((s, n) => s + n, 0) || 1;
  const tb = [...b.values()].reduce((s, n) => s + n, 0) || 1;
  return barChart(keys.map(String), [
    { name: names[0], color: ORIGINAL_COLOR, values: keys.map((k) => (a.get(k) ?? 0) / ta) },
    { name: names[1], color: CANDIDATE_COLOR, values: keys.map((k) => (b.get(k) ?? 0) / tb) },
  ], { title, xLabel, yLabel: 'share of packets' });
}

function gaps(times: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, times.length - 1));
  for (let i = 1; i < times.length; i++) out[i - 1] = (times[i]! - times[i - 1]!) / 1e9;
  return out;
}

function metricsTable(m: FidelityMetrics): string {
  const rows: [string, number | string][] = [
    ['packetsRatio', m.packetsRatio],
    ['flowsRatio', m.flowsRatio],
    ['flowCountError', m.flowCountError],
    ['rateNrmse 10ms', m.rateNrmse['10ms']],
    ['rateNrmse 100ms', m.rateNrmse['100ms']],
    ['rateNrmse 1s', m.rateNrmse['1s']],
    ['pktSizeEmd', m.pktSizeEmd],
    ['pktSizeJsd', m.pktSizeJsd],
    ['flowSizeEmd', m.flowSizeEmd],
    ['iatEmd', m.iatEmd],
    ['protoJsd', m.protoJsd],
    ['dstPortJsd', m.dstPortJsd],
  ];
  const body = rows.map(([k, v]) => `<tr><td>${k}</td><td>${typeof v === 'number' ? v.toFixed(6) : v}</td></tr>`).join('');
  return `<table><tr><th>metric</th><th>value</th></tr>${body}</table>`;
}

export function renderFidelityReport(input: ReportInput): string {
  const names: [string, string] = [input.originalName, input.candidateName];
  const m = input.metrics;
  const summary = `<p>Original: ${m.original.packets} IP packets, ${m.original.flows} flows, ${m.original.durationSeconds.toFixed(3)} s. Candidate: ${m.candidate.packets} IP packets, ${m.candidate.flows} flows, ${m.candidate.durationSeconds.toFixed(3)} s. Definitions: docs/fidelity.md.</p>`;
  const charts = [
    rateChart(input, '1s'),
    rateChart(input, '100ms'),
    sizeChart(input),
    cdfChart(`Flow size (EMD ${m.flowSizeEmd.toFixed(4)})`, 'packets per flow (log)', Float64Array.from(input.original.flowPackets.values()), Float64Array.from(input.candidate.flowPackets.values()), names, true),
    cdfChart(`Inter-arrival time (EMD ${m.iatEmd.toFixed(6)})`, 'seconds (log)', gaps(input.original.times), gaps(input.candidate.times), names, true),
    categoryChart(`IP protocol (JSD ${m.protoJsd.toFixed(4)})`, 'protocol number', input.original.protocols, input.candidate.protocols, names, 16),
    categoryChart(`Destination port, top ${TOP_PORTS} of the original (JSD ${m.dstPortJsd.toFixed(4)})`, 'TCP/UDP destination port', input.original.dstPorts, input.candidate.dstPorts, names, TOP_PORTS),
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Memoco fidelity: ${escapeXml(input.candidateName)} vs ${escapeXml(input.originalName)}</title><style>body{font-family:sans-serif;margin:24px;max-width:960px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}figure{margin:18px 0}figcaption{font-weight:bold;margin-bottom:4px}</style></head><body><h1>Fidelity: ${escapeXml(input.candidateName)} vs ${escapeXml(input.originalName)}</h1>${summary}${metricsTable(m)}${charts.join('\n')}</body></html>\n`;
}
