/**
 * Render counts per component, for the test that a search step re-renders only what shows the
 * step. Counting happens only where the page defined `window.__renderCounts` before the app
 * loaded (the test's init script); otherwise it costs one property read per render.
 */
export function countRender(component: string): void {
  const counts = (globalThis as { __renderCounts?: Record<string, number> }).__renderCounts;
  if (counts) counts[component] = (counts[component] ?? 0) + 1;
}
