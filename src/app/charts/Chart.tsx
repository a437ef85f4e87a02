/**
 * One chart on a canvas (uPlot). A run updates its charts every step, and drawing SVG through
 * React costs main-thread time per point on every update (recharts blocked the page 44% of a quick
 * run: docs/app.md); here React renders the chart's box once and each update is one `setData`.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A CSS colour or variable name (`var(--chart-1)`), resolved when the chart is drawn. */
  color: string;
  /** `points`: a scatter (no line); `step`: a staircase (a value holds until it changes). */
  kind: 'line' | 'step' | 'points';
}

export interface ChartProps {
  /** Columns: x first (ascending), then one per series (`null` where a series has no value). */
  data: uPlot.AlignedData;
  series: ChartSeries[];
  /** `log`: a log scale for losses; `range`: a fixed y range (accuracy 0 to 1). */
  y?: { log?: boolean; range?: [number, number] };
  height: number;
  /** What the chart shows, for screen readers (the canvas itself says nothing). */
  summary: string;
  /** For a scatter: the text of the point nearest the cursor, shown beside it. */
  describePoint?: (index: number) => string;
  testId?: string;
}

/** Colours follow the page's theme (light or dark), read from its CSS variables. */
function resolve(color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  return m ? getComputedStyle(document.documentElement).getPropertyValue(m[1]).trim() || '#888' : color;
}

const darkQuery = () => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null);

/** The system's colour scheme, followed as it changes (one listener per chart, added once: charts render every step). */
function useColorScheme(): string {
  const [dark, setDark] = useState(() => darkQuery()?.matches ?? false);
  useEffect(() => {
    const query = darkQuery();
    if (!query) return;
    const on = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener('change', on);
    return () => query.removeEventListener('change', on);
  }, []);
  return dark ? 'dark' : 'light';
}

/** `describe` is read when the cursor moves, so it always names a point of the data drawn now. */
function options(p: ChartProps, width: number, tip: HTMLDivElement | null, describe: (index: number) => string): uPlot.Options {
  const fg = resolve('var(--muted)');
  const grid = resolve('var(--line-soft)');
  const scatter = p.series.some((s) => s.kind === 'points');
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: p.height,
    legend: { show: !scatter },
    cursor: { drag: { x: false, y: false }, points: { show: !scatter } },
    scales: { x: { time: false }, y: p.y?.log ? { distr: 3, log: 10 } : { range: p.y?.range ?? ((_u, lo, hi) => [lo, hi]) } },
    axes: [
      // Steps are whole numbers: no tick at 1.5.
      { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] },
      { ...axis, size: 48, values: (_u, ticks) => ticks.map(tickLabel) },
    ],
    series: [
      { label: 'step', value: (_u, v) => (v == null ? '–' : String(v)) },
      ...p.series.map((s): uPlot.Series => {
        const stroke = resolve(s.color);
        if (s.kind === 'points') return { label: s.label, stroke, fill: stroke, paths: () => null, points: { show: true, size: 4, stroke, fill: stroke, width: 0 } };
        return { label: s.label, stroke, width: 1.5, spanGaps: true, points: { show: false }, value: (_u, v) => (v == null ? '–' : v.toFixed(4)), ...(s.kind === 'step' && { paths: uPlot.paths.stepped!({ align: 1 }) }) };
      }),
    ],
    hooks: scatter && p.describePoint && tip ? { setCursor: [(u) => showNearest(u, tip, describe)] } : {},
  };
}

/** A y tick as short as it reads: 0.25, 1, 10, and 1e-4 for the small losses a log scale reaches. */
export function tickLabel(v: number | null): string {
  if (v == null) return '';
  if (v !== 0 && Math.abs(v) < 0.001) return v.toExponential(0);
  return Number(v.toPrecision(2)).toString();
}

/** The scatter's tooltip: the point nearest the cursor within 12 px, or nothing. */
function showNearest(u: uPlot, tip: HTMLDivElement, describe: (i: number) => string): void {
  const { left, top } = u.cursor;
  const xs = u.data[0];
  const ys = u.data[1];
  let best = -1;
  let bestD = 144;
  if (left !== undefined && top !== undefined && left >= 0) {
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i];
      if (y == null) continue;
      const dx = u.valToPos(xs[i], 'x') - left;
      const dy = u.valToPos(y, 'y') - top;
      const d = dx * dx + dy * dy;
      if (d < bestD) [best, bestD] = [i, d];
    }
  }
  if (best < 0) {
    tip.hidden = true;
    return;
  }
  tip.hidden = false;
  tip.textContent = describe(best);
  tip.style.left = `${u.valToPos(xs[best], 'x') + u.over.offsetLeft + 8}px`;
  tip.style.top = `${u.valToPos(ys[best]!, 'y') + u.over.offsetTop + 8}px`;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const scheme = useColorScheme();
  // The chart's shape (its series, scale and height, and the theme): a new one rebuilds the chart.
  const shape = JSON.stringify([props.series, props.y, props.height, scheme]);

  useEffect(() => {
    const el = box.current!;
    // The props of the latest render: a chart outlives many (it is rebuilt only when its shape changes).
    const describe = (i: number) => latest.current.describePoint?.(i) ?? '';
    const u = new uPlot(options(latest.current, Math.max(120, el.clientWidth), tip.current, describe), latest.current.data, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(120, el.clientWidth), height: latest.current.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(props.data);
  }, [props.data]);

  return (
    // data-points: how many values each series draws (for tests: a canvas shows nothing to query).
    <div className="chart" data-testid={props.testId} data-points={props.data.slice(1).map((col) => Array.from(col as ArrayLike<number | null>).filter((v) => v != null).length).join(',')}>
      <div ref={box} role="img" aria-label={props.summary} />
      <div ref={tip} className="tip chart-tip" hidden />
    </div>
  );
}
