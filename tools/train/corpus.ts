/**
 * The training corpus for the shipped model, generated from the task suite (one source of truth)
 * in the two shapes the search feeds the model:
 *  - scoring documents, the search's scoring template, always with the right description:
 *      " {description}. {input}{output}" (output without its trailing period, as the search scores it)
 *  - proposal documents, the search's proposal template, with the right description about half the
 *    time and another task's otherwise, so first guesses are often wrong and the search must rank:
 *      "Data:\n\n{input}{output}.\n\n{input}{output}.\n\n{input}{output}.\n\nPrompt: {description}"
 * Seeded: the same seed gives the same corpus. Example seeds start at CORPUS_SEED_BASE so tests can
 * draw fresh examples from small seeds the corpus never used.
 */
import { SeededRandom } from '../../src/util/random.ts';
import type { Example, Task } from '../../src/datasets/tasks/index.ts';

export const CORPUS_SEED_BASE = 1_000_000;

export interface CorpusOptions {
  documents: number;
  /** Share of scoring documents; the rest are proposal documents. */
  scoringShare: number;
  /** Share of proposal documents whose description is the right task's. */
  rightDescriptionShare: number;
  examplesPerScoringDoc: number;
  shots: number;
  seed: number;
}

export const DEFAULT_CORPUS: CorpusOptions = { documents: 60_000, scoringShare: 0.7, rightDescriptionShare: 0.5, examplesPerScoringDoc: 3, shots: 3, seed: 1 };

const stripOutput = (o: string) => o.trimEnd().replace(/\.$/, '');
const asPrompt = (d: string) => ` ${d.trim().replace(/\.$/, '')}`;

export function* corpusDocuments(tasks: readonly Task[], opts: CorpusOptions = DEFAULT_CORPUS): Generator<string> {
  const rng = SeededRandom.sampler(opts.seed);
  let exampleSeed = CORPUS_SEED_BASE + opts.seed * 10_000_000;
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const examples = (task: Task, n: number): Example[] => task.generate(n, exampleSeed++);
  for (let d = 0; d < opts.documents; d++) {
    const task = pick(tasks);
    if (rng.next() < opts.scoringShare) {
      yield examples(task, opts.examplesPerScoringDoc)
        .map((ex) => `${asPrompt(pick(task.descriptions))}. ${ex.input}${stripOutput(ex.output)}`)
        .join('\n\n');
    } else {
      const data = examples(task, opts.shots).map((ex) => `${ex.input}${stripOutput(ex.output)}.`);
      const described = rng.next() < opts.rightDescriptionShare ? task : pick(tasks.filter((t) => t !== task));
      yield `Data:\n\n${data.join('\n\n')}\n\nPrompt:${asPrompt(pick(described.descriptions))}.`;
    }
  }
}
