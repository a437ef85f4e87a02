/**
 * Charts that grow while the search runs: loss per step, accuracy per step, every candidate.
 * However long the run (or however many points a link carries), each chart draws a bounded
 * number of points: SVG charts cost main-thread time per point on every update.
 */
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { useRunStore, type CandidatePoint, type StepPoint } from './state/runStore.ts';
import { CHART_LIMITS, thinEvenly, thinKeepingNewest } from './thin.ts';

export function LiveCharts({ compact = false }: { compact?: boolean }) {
  const allSeries = useRunStore((s) => s.series);
  const allPoints = useRunStore((s) => s.points);
  const series = useMemo(() => thinEvenly(allSeries, CHART_LIMITS.series), [allSeries]);
  const points = useMemo(() => thinKeepingNewest(allPoints, CHART_LIMITS.candidates), [allPoints]);
  if (allSeries.length === 0) return null;
  return (
    <section className={`panel charts${compact ? ' compact' : ''}`} data-testid="charts" data-steps={allSeries.length} data-drawn-series={series.length} data-drawn-candidates={points.length}>
      <h2>Live</h2>
      <div className="chart-grid">
        <figure>
          <figcaption>Loss per step (best and mean candidate)</figcaption>
          <ResponsiveContainer width="100%" height={compact ? 150 : 220}>
            <LineChart data={series as StepPoint[]} margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="step" />
              <YAxis scale="log" domain={['auto', 'auto']} allowDataOverflow tickFormatter={(v: number) => v.toPrecision(2)} />
              <Tooltip formatter={(v) => Number(v).toFixed(4)} />
              <Legend />
              <Line type="monotone" dataKey="bestLoss" name="best" stroke="#2b6cb0" dot={false} isAnimationActive={false} />
              <Line type="monotone" dataKey="meanLoss" name="mean" stroke="#a0aec0" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure>
          <figcaption>Best accuracy per step</figcaption>
          <ResponsiveContainer width="100%" height={compact ? 150 : 220}>
            <LineChart data={series as StepPoint[]} margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="step" />
              <YAxis domain={[0, 1]} />
              <Tooltip formatter={(v) => Number(v).toFixed(3)} />
              <Line type="stepAfter" dataKey="bestAccuracy" name="best accuracy" stroke="#2f855a" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure className="wide">
          <figcaption>
            Every scored candidate ({allPoints.length.toLocaleString()}
            {points.length < allPoints.length ? `; ${points.length.toLocaleString()} drawn` : ''})
          </figcaption>
          <ResponsiveContainer width="100%" height={compact ? 170 : 240}>
            <ScatterChart margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" name="step" />
              <YAxis dataKey="loss" type="number" name="loss" scale="log" domain={['auto', 'auto']} allowDataOverflow tickFormatter={(v: number) => v.toPrecision(2)} />
              <ZAxis range={[12, 12]} />
              <Tooltip cursor={false} content={({ payload }) => (payload?.[0] ? <div className="tip">{String((payload[0].payload as { text: string }).text)}<br />loss {Number((payload[0].payload as { loss: number }).loss).toFixed(4)}</div> : null)} />
              <Scatter data={points as CandidatePoint[]} fill="#805ad5" fillOpacity={0.35} isAnimationActive={false} />
            </ScatterChart>
          </ResponsiveContainer>
        </figure>
      </div>
    </section>
  );
}
