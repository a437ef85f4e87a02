/**
 * The scoring workload every engine benchmark runs: iPrompt-shaped pairs (a candidate prompt, an
 * input, and the output to score), the same token ids on every runtime.
 */
export interface Tok {
  encode(text: string): number[];
}

export function scoringPairs(tok: Tok, n = 32): { context: number[]; continuation: number[] }[] {
  const prompts = ['Add the two numbers.', 'Return the sum of the inputs.', 'Multiply them together.', 'Output the larger number.'];
  const pairs = [];
  for (let i = 0; i < n; i++) {
    const a = (i * 7) % 10;
    const b = (i * 3 + 1) % 10;
    const context = tok.encode(`${prompts[i % prompts.length]} Given the input numbers ${a} and ${b}, the answer is`);
    pairs.push({ context, continuation: tok.encode(` ${a + b}.`) });
  }
  return pairs;
}

export const MIN_MS = 4000;
export const MIN_ITERS = 3;
