/**
 * Minimal inline SVG charts for the offline fidelity report: two series per chart (original
 * and candidate), axes with a few ticks, no scripts and no external assets.
 */
export interface Series {
  name: string;
  color: string;
  /** x and y values, same length, x ascending. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Plot x on a log10 scale (values <= 0 are clamped to the smallest positive one). */
  logX?: boolean;
  /** Draw steps (a CDF) instead of straight segments. */
  steps?: boolean;
}

const PAD = { left: 64, right: 16, top: 28, bottom: 44 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

function extent(series: readonly Series[], pick: (s: Series) => ArrayLike<number>, positiveOnly: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const values = pick(s);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (positiveOnly && v <= 0) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

function frame(o: ChartOptions, width: number, height: number, body: string, legend: readonly { name: string; color: string }[]): string {
  let at = PAD.left + 8;
  const legendItems = legend
    .map((s) => {
      const item = `<rect x="${at}" y="8" width="12" height="12" fill="${s.color}"/><text x="${at + 16}" y="18" font-size="12">${escapeXml(s.name)}</text>`;
      at += 40 + s.name.length * 7;
      return item;
    })
    .join('');
  return `<figure><figcaption>${escapeXml(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${legendItems}${body}<text x="${(PAD.left + width - PAD.right) / 2}" y="${height - 6}" font-size="12" text-anchor="middle">${escapeXml(o.xLabel)}</text><text x="14" y="${(PAD.top + height - PAD.bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(PAD.top + height - PAD.bottom) / 2})">${escapeXml(o.yLabel)}</text></svg></figure>`;
}

function axes(width: number, height: number, xTicks: { at: number; label: string }[], yTicks: { at: number; label: string }[]): string {
  const x0 = PAD.left;
  const y0 = height - PAD.bottom;
  const parts = [`<line x1="${x0}" y1="${y0}" x2="${width - PAD.right}" y2="${y0}" stroke="#333"/>`, `<line x1="${x0}" y1="${PAD.top}" x2="${x0}" y2="${y0}" stroke="#333"/>`];
  for (const t of xTicks) parts.push(`<line x1="${t.at}" y1="${y0}" x2="${t.at}" y2="${y0 + 4}" stroke="#333"/><text x="${t.at}" y="${y0 + 16}" font-size="10" text-anchor="middle">${t.label}</text>`);
  for (const t of yTicks) parts.push(`<line x1="${x0 - 4}" y1="${t.at}" x2="${width - PAD.right}" y2="${t.at}" stroke="#ddd"/><text x="${x0 - 6}" y="${t.at + 3}" font-size="10" text-anchor="end">${t.label}</text>`);
  return parts.join('');
}

/** At most `limit` points: group means of consecutive points (x of the group's first). */
export function decimate(x: ArrayLike<number>, y: ArrayLike<number>, limit: number): { x: Float64Array; y: Float64Array } {
  const group = Math.max(1, Math.ceil(x.length / limit));
  const n = Math.ceil(x.length / group);
  const ox = new Float64Array(n);
  const oy = new Float64Array(n);
  for (let g = 0; g < n; g++) {
    const from = g * group;
    const to = Math.min(x.length, from + group);
    let sum = 0;
    for (let i = from; i < to; i++) sum += y[i]!;
    ox[g] = x[from]!;
    oy[g] = sum / (to - from);
  }
  return { x: ox, y: oy };
}

/** Two (or more) series as lines over a shared x axis. */
export function lineChart(series: readonly Series[], o: ChartOptions): string {
  const width = o.width ?? 900;
  const height = o.height ?? 260;
  const [rawLo, rawHi] = extent(series, (s) => s.x, Boolean(o.logX));
  // On a log axis, zeros (equal timestamps) sit at the smallest positive value.
  const tx = (v: number) => (o.logX ? Math.log10(Math.max(v, rawLo)) : v);
  const xlo = tx(rawLo);
  const xhi = tx(rawHi);
  const [, yhi] = extent(series, (s) => s.y, false);
  const ylo = 0;
  const sx = (v: number) => PAD.left + ((tx(v) - xlo) / (xhi - xlo || 1)) * (width - PAD.left - PAD.right);
  const sy = (v: number) => height - PAD.bottom - ((v - ylo) / (yhi - ylo || 1)) * (height - PAD.top - PAD.bottom);
  const paths = series.map((s) => {
    const points: string[] = [];
    for (let i = 0; i < s.x.length; i++) {
      if (o.steps && i > 0) points.push(`${sx(s.x[i]!).toFixed(1)},${sy(s.y[i - 1]!).toFixed(1)}`);
      points.push(`${sx(s.x[i]!).toFixed(1)},${sy(s.y[i]!).toFixed(1)}`);
    }
    return `<polyline fill="none" stroke="${s.color}" stroke-width="1.3" stroke-opacity="0.85" points="${points.join(' ')}"/>`;
  });
  const xTicks = niceTicks(xlo, xhi).map((v) => ({ at: PAD.left + ((v - xlo) / (xhi - xlo || 1)) * (width - PAD.left - PAD.right), label: o.logX ? formatTick(10 ** v) : formatTick(v) }));
  const yTicks = niceTicks(ylo, yhi).map((v) => ({ at: sy(v), label: formatTick(v) }));
  return frame(o, width, height, axes(width, height, xTicks, yTicks) + paths.join(''), series);
}

/** Categories side by side: one bar per series for each category label. */
export function barChart(labels: readonly string[], series: readonly { name: string; color: string; values: ArrayLike<number> }[], o: ChartOptions): string {
  const width = o.width ?? 900;
  const height = o.height ?? 260;
  let yhi = 0;
  for (const s of series) for (let i = 0; i < s.values.length; i++) yhi = Math.max(yhi, s.values[i]!);
  yhi = yhi || 1;
  const plotWidth = width - PAD.left - PAD.right;
  const slot = plotWidth / Math.max(1, labels.length);
  const barWidth = Math.max(1, (slot * 0.8) / series.length);
  const sy = (v: number) => height - PAD.bottom - (v / yhi) * (height - PAD.top - PAD.bottom);
  const bars: string[] = [];
  series.forEach((s, k) => {
    for (let i = 0; i < labels.length; i++) {
      const x = PAD.left + i * slot + slot * 0.1 + k * barWidth;
      const y = sy(s.values[i] ?? 0);
      bars.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(height - PAD.bottom - y).toFixed(1)}" fill="${s.color}"><title>${escapeXml(labels[i]!)}: ${s.values[i]}</title></rect>`);
    }
  });
  const every = Math.max(1, Math.ceil(labels.length / 16));
  const xTicks = labels.map((label, i) => ({ at: PAD.left + (i + 0.5) * slot, label: escapeXml(label) })).filter((_, i) => i % every === 0);
  const yTicks = niceTicks(0, yhi).map((v) => ({ at: sy(v), label: formatTick(v) }));
  return frame(o, width, height, axes(width, height, xTicks, yTicks) + bars.join(''), series);
}
