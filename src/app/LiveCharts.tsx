/** Charts that grow while the search runs: loss per step, accuracy per step, every candidate. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { useRunStore } from './state/runStore.ts';

export function LiveCharts() {
  const series = useRunStore((s) => s.series);
  const points = useRunStore((s) => s.points);
  if (series.length === 0) return null;
  return (
    <section className="panel charts" data-testid="charts" data-steps={series.length}>
      <h2>Live</h2>
      <div className="chart-grid">
        <figure>
          <figcaption>Loss per step (best and mean candidate)</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={series} margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
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
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={series} margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="step" />
              <YAxis domain={[0, 1]} />
              <Tooltip formatter={(v) => Number(v).toFixed(3)} />
              <Line type="stepAfter" dataKey="bestAccuracy" name="best accuracy" stroke="#2f855a" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure className="wide">
          <figcaption>Every scored candidate ({points.length.toLocaleString()})</figcaption>
          <ResponsiveContainer width="100%" height={240}>
            <ScatterChart margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" name="step" />
              <YAxis dataKey="loss" type="number" name="loss" scale="log" domain={['auto', 'auto']} allowDataOverflow tickFormatter={(v: number) => v.toPrecision(2)} />
              <ZAxis range={[12, 12]} />
              <Tooltip cursor={false} content={({ payload }) => (payload?.[0] ? <div className="tip">{String((payload[0].payload as { text: string }).text)}<br />loss {Number((payload[0].payload as { loss: number }).loss).toFixed(4)}</div> : null)} />
              <Scatter data={points} fill="#805ad5" fillOpacity={0.35} isAnimationActive={false} />
            </ScatterChart>
          </ResponsiveContainer>
        </figure>
      </div>
    </section>
  );
}
