/**
 * Which scoring rows share a prefix worth computing once. In an iPrompt step every candidate is
 * scored on the same examples, so its rows begin alike (the prompt, then the template's words up
 * to the first thing an example changes); rows are grouped so that each group's common prefix runs
 * once and every member continues from its cached keys and values.
 *
 * Rows are sorted; a group is a run of sorted rows, and its prefix is the shortest common prefix
 * of neighbours in the run (capped per row, see `limit`). The runs are chosen by dynamic
 * programming to save the most tokens: a group of n rows with prefix P saves (n - 1) x P. Greedy
 * runs would merge a parent prompt's rows with its mutations' (they share only the kept tokens)
 * and lose the longer prefix each candidate shares with itself. The result is the best grouping
 * into runs of sorted rows; one that joins rows with others sorted between them can save more
 * (a lost saving, never a wrong score), which the search's rows, one run per candidate, do not need.
 */

export interface PrefixGroup {
  /** Tokens every member starts with, computed once. */
  prefixLength: number;
  /** Row indices, in sorted order. */
  members: number[];
}

/** The most rows one group takes: bounds the search (and one prefix is reused at most this often). */
const MAX_GROUP = 512;

function compareRows(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Groups of rows that share at least `minShared` tokens; rows in no group are left out (they run
 * as they are). `limit[i]` is the longest prefix row i may share: its first needed logit must come
 * after the prefix (a scored row keeps its last context token), so the prefix never holds a
 * position whose logits are read.
 */
export function groupBySharedPrefix(rows: readonly (readonly number[])[], limit: readonly number[], minShared: number): PrefixGroup[] {
  // A row that may share fewer than minShared tokens joins no group; left in, it would sit
  // between sorted rows that could share more and cut their run.
  const order = rows
    .map((_, i) => i)
    .filter((i) => Math.min(limit[i], rows[i].length) >= minShared)
    .sort((a, b) => compareRows(rows[a], rows[b]) || a - b);
  const n = order.length;
  const cap = (k: number) => Math.min(limit[order[k]], rows[order[k]].length);
  // adjacent[k]: the prefix sorted rows k and k + 1 may share.
  const adjacent = Array.from({ length: Math.max(0, n - 1) }, (_, k) => Math.min(commonPrefix(rows[order[k]], rows[order[k + 1]]), cap(k), cap(k + 1)));
  // best[i]: the most tokens saved over sorted rows [0, i); from[i]: where its last run starts.
  const best = new Float64Array(n + 1);
  const from = new Int32Array(n + 1);
  const prefixOf = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    // The run [i - 1, i) alone saves nothing.
    best[i] = best[i - 1];
    from[i] = i - 1;
    prefixOf[i] = 0;
    let shared = Infinity;
    for (let j = i - 2; j >= 0 && i - j <= MAX_GROUP; j--) {
      shared = Math.min(shared, adjacent[j]);
      if (shared < minShared) break;
      const saved = best[j] + (i - j - 1) * shared;
      if (saved > best[i]) {
        best[i] = saved;
        from[i] = j;
        prefixOf[i] = shared;
      }
    }
  }
  const groups: PrefixGroup[] = [];
  for (let i = n; i > 0; i = from[i]) {
    if (i - from[i] >= 2) groups.push({ prefixLength: prefixOf[i], members: order.slice(from[i], i) });
  }
  return groups.reverse();
}
