// A tiny inline-SVG line chart of recent samples, scaled to their own maximum (or `max`).
interface Props {
  values: number[];
  label: string;
  max?: number;
  width?: number;
  height?: number;
}

export function Sparkline({ values, label, max, width = 160, height = 36 }: Props) {
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / top) * (height - 2) - 1).toFixed(1)}`);
  return (
    <svg className="sparkline" role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      {points.length > 1 && <polyline points={`0,${height} ${points.join(' ')} ${width},${height}`} className="sparkline-area" />}
      {points.length > 1 && <polyline points={points.join(' ')} className="sparkline-line" />}
    </svg>
  );
}
