/**
 * Charts that grow while the search runs: loss per step, accuracy per step, every candidate.
 * However long the run (or however many points a link carries), each chart draws a bounded
 * number of points, and on a canvas: an update costs one redraw, not a React tree per point.
 */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { Chart } from './charts/Chart.tsx';
import { countRender } from './renderCount.ts';
import { useRunStore, type CandidatePoint, type StepPoint } from './state/runStore.ts';
import { CHART_LIMITS, thinEvenly, thinKeepingNewest } from './thin.ts';

/** A log scale cannot show zero: a loss of exactly 0 is drawn at this floor. */
const LOG_FLOOR = 1e-6;
const positive = (v: number) => Math.max(LOG_FLOOR, v);

/** "from 1.2 at step 1 to 0.45 at step 31", for the charts' screen-reader summaries. */
export function trend(series: readonly StepPoint[], pick: (p: StepPoint) => number): string {
  if (series.length === 0) return 'no steps yet';
  const [first, last] = [series[0], series[series.length - 1]];
  return series.length === 1 ? `${pick(first).toFixed(3)} at step ${first.step}` : `from ${pick(first).toFixed(3)} at step ${first.step} to ${pick(last).toFixed(3)} at step ${last.step}`;
}

export function LiveCharts({ compact = false }: { compact?: boolean }) {
  countRender('LiveCharts');
  const allSeries = useRunStore((s) => s.series);
  const allPoints = useRunStore((s) => s.points);
  const series = useMemo(() => thinEvenly(allSeries, CHART_LIMITS.series), [allSeries]);
  const points = useMemo(() => thinKeepingNewest(allPoints, CHART_LIMITS.candidates), [allPoints]);
  const lossData = useMemo((): uPlot.AlignedData => [series.map((p) => p.step), series.map((p) => positive(p.bestLoss)), series.map((p) => positive(p.meanLoss))], [series]);
  const accuracyData = useMemo((): uPlot.AlignedData => [series.map((p) => p.step), series.map((p) => p.bestAccuracy)], [series]);
  const pointData = useMemo((): uPlot.AlignedData => [points.map((p) => p.step), points.map((p) => positive(p.loss))], [points]);
  if (allSeries.length === 0) return null;
  const describe = (i: number) => `${JSON.stringify((points[i] as CandidatePoint).text)} · step ${points[i].step} · loss ${points[i].loss.toFixed(4)}`;
  return (
    <section className={`panel charts${compact ? ' compact' : ''}`} data-testid="charts" data-steps={allSeries.length} data-drawn-series={series.length} data-drawn-candidates={points.length}>
      <h2>Live</h2>
      <div className="chart-grid">
        <figure>
          <figcaption>Loss per step (best and mean candidate)</figcaption>
          <Chart
            data={lossData}
            height={compact ? 150 : 220}
            y={{ log: true }}
            series={[
              { label: 'best', color: 'var(--chart-1)', kind: 'line' },
              { label: 'mean', color: 'var(--chart-2)', kind: 'line' },
            ]}
            summary={`Best loss per step ${trend(allSeries, (p) => p.bestLoss)}; mean candidate loss ${trend(allSeries, (p) => p.meanLoss)}.`}
          />
        </figure>
        <figure>
          <figcaption>Best accuracy per step</figcaption>
          <Chart data={accuracyData} height={compact ? 150 : 220} y={{ range: [0, 1] }} series={[{ label: 'best accuracy', color: 'var(--chart-3)', kind: 'step' }]} summary={`Best accuracy per step ${trend(allSeries, (p) => p.bestAccuracy)}.`} />
        </figure>
        <figure className="wide">
          <figcaption>
            Every scored candidate ({allPoints.length.toLocaleString()}
            {points.length < allPoints.length ? `; ${points.length.toLocaleString()} drawn` : ''}); point at one for its prompt
          </figcaption>
          <Chart data={pointData} height={compact ? 170 : 240} y={{ log: true }} series={[{ label: 'candidate', color: 'var(--chart-4)', kind: 'points' }]} describePoint={describe} summary={`${allPoints.length} candidates scored over ${allSeries.length} steps.`} testId="candidates-chart" />
        </figure>
      </div>
    </section>
  );
}
