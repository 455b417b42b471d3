import { niceCeiling } from './usage-chart';

/** Geometry of the health page's hourly chart: valid stacked under refused, per hour. */
export interface HourChart {
  width: number;
  height: number;
  plotHeight: number;
  left: number;
  right: number;
  bars: {
    x: number;
    width: number;
    label: string;
    valid: { y: number; height: number; count: number };
    refused: { y: number; height: number; count: number };
  }[];
  gridLines: { y: number; value: number }[];
  labels: { x: number; text: string }[];
}

const hoursAgoLabel = (h: number): string => (h === 0 ? 'this hour' : `${h} h ago`);

export function hourChart(
  rows: { hoursAgo: number; valid: number; refused: number }[],
  width = 720,
  height = 200,
): HourChart {
  const left = 48;
  const right = 24;
  const plotHeight = height - 28;
  const top = 8;
  const max = niceCeiling(Math.max(0, ...rows.map((r) => r.valid + r.refused)));
  const scale = (n: number) => (n / max) * (plotHeight - top);
  const slot = (width - left - right) / Math.max(rows.length, 1);
  const barWidth = Math.max(1, slot * 0.75);
  const bars = rows.map((r, i) => {
    const validHeight = scale(r.valid);
    const refusedHeight = scale(r.refused);
    return {
      x: left + i * slot + (slot - barWidth) / 2,
      width: barWidth,
      label: hoursAgoLabel(r.hoursAgo),
      valid: { y: plotHeight - validHeight, height: validHeight, count: r.valid },
      refused: {
        y: plotHeight - validHeight - refusedHeight,
        height: refusedHeight,
        count: r.refused,
      },
    };
  });
  const gridLines = [0, 0.5, 1].map((f) => ({
    y: plotHeight - f * (plotHeight - top),
    value: Math.round(f * max),
  }));
  const every = Math.ceil(rows.length / 6);
  const labels = rows
    .map((r, i) => ({ r, i }))
    .filter(({ i }) => (rows.length - 1 - i) % every === 0)
    .map(({ r, i }) => ({ x: left + i * slot + slot / 2, text: hoursAgoLabel(r.hoursAgo) }));
  return { width, height, plotHeight, left, right, bars, gridLines, labels };
}
