'use client';
// One time-series chart (uPlot): x is epoch seconds, one line per series. The chart is made once and
// fed new data, so a sample every two seconds does not rebuild the canvas. The newest values are
// also in data attributes and the legend, for screen readers and tests.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

interface Props {
  title: string;
  /** Epoch milliseconds, one per point. */
  times: number[];
  series: ChartSeries[];
  format: (value: number) => string;
  height?: number;
}

export function TimeChart({ title, times, series, format, height = 140 }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('|');
  const formatRef = useRef(format);
  formatRef.current = format;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const chart = new uPlot(
      {
        width: Math.max(240, el.clientWidth),
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(max, 1e-9) * 1.1] } },
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor', size: 64, values: (_u, ticks) => ticks.map((t) => formatRef.current(t)) }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatRef.current(v)) }))],
      },
      [[], ...series.map(() => [])],
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(240, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its series change, not with each sample.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  const last = series.map((s) => s.values.at(-1) ?? null);
  return (
    <figure className="time-chart" data-points={times.length} data-last={last.map((v) => (v === null ? '' : String(v))).join(',')}>
      <figcaption>
        {title}
        <span className="time-chart-now">{last.map((v, i) => `${series[i]?.label} ${v === null ? '—' : format(v)}`).join(' · ')}</span>
      </figcaption>
      <div ref={host} className="time-chart-canvas" role="img" aria-label={`${title} over time`} />
    </figure>
  );
}
