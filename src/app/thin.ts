/** Bounded drawing: how many points a chart draws however long the run, and how they are picked. */

/** Most points a line chart draws (every k-th step, and the last) and a scatter draws (the newest, then every k-th older one). */
export const CHART_LIMITS = Object.freeze({ series: 600, candidates: 1500 });

/** Every k-th item and the last, at most `max` (about). */
export function thinEvenly<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  const k = Math.ceil(items.length / (max - 1));
  return items.filter((_, i) => i % k === 0 || i === items.length - 1);
}

/** The newest half of `max` as they are, the older ones thinned evenly into the other half. */
export function thinKeepingNewest<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  const recent = Math.floor(max / 2);
  return [...thinEvenly(items.slice(0, items.length - recent), max - recent), ...items.slice(items.length - recent)];
}
