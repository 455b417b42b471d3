/** Geometry for a server-rendered SVG bar chart: pure numbers, the view draws them. */

export interface DayCount {
  day: string;
  count: number;
}

export interface BarChart {
  width: number;
  height: number;
  /** Height of the plot area; labels sit below it. */
  plotHeight: number;
  max: number;
  bars: { x: number; y: number; width: number; height: number; day: string; count: number }[];
  /** Horizontal guide lines with their value. */
  gridLines: { y: number; value: number }[];
  /** Day labels under every few bars, so they do not overlap. */
  labels: { x: number; text: string }[];
}

/** Rounds up to 1, 2 or 5 times a power of ten, so guide lines land on round numbers. */
export function niceCeiling(n: number): number {
  if (n <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  const step = [1, 2, 5, 10].find((m) => m * power >= n) ?? 10;
  return step * power;
}

export function barChart(points: DayCount[], width = 720, height = 240): BarChart {
  const left = 48;
  const right = 24;
  const plotHeight = height - 28;
  const max = niceCeiling(Math.max(0, ...points.map((p) => p.count)));
  const slot = (width - left - right) / Math.max(points.length, 1);
  const barWidth = Math.max(1, slot * 0.75);
  const bars = points.map((p, i) => {
    const h = (p.count / max) * (plotHeight - 8);
    return {
      x: left + i * slot + (slot - barWidth) / 2,
      y: plotHeight - h,
      width: barWidth,
      height: h,
      day: p.day,
      count: p.count,
    };
  });
  const gridLines = [0, 0.5, 1].map((f) => ({
    y: plotHeight - f * (plotHeight - 8),
    value: Math.round(f * max),
  }));
  const every = Math.ceil(points.length / 6);
  const labels = points
    .map((p, i) => ({ i, p }))
    .filter(({ i }) => i % every === 0 || i === points.length - 1)
    .map(({ i, p }) => ({ x: left + i * slot + slot / 2, text: p.day.slice(5) }));
  return { width, height, plotHeight, max, bars, gridLines, labels };
}

/** The `days` UTC days ending with `today`, oldest first, with zero for days without usage. */
export function lastDays(today: string, days: number, counts: DayCount[]): DayCount[] {
  const byDay = new Map(counts.map((c) => [c.day, c.count]));
  const end = Date.parse(`${today}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    return { day, count: byDay.get(day) ?? 0 };
  });
}
