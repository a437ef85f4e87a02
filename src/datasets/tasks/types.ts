/** One data point: `input` is followed directly by `output` when the two are scored or shown. */
export interface Example {
  input: string;
  output: string;
}

export type TaskFamily = 'math' | 'word';

export interface Task {
  /** Stable id: 'add_two', 'first_letter', ... (the paper's names for its math tasks). */
  id: string;
  family: TaskFamily;
  /** Short human name. */
  title: string;
  /**
   * Ground-truth descriptions (the paper's, where it has them) and other paraphrases a person
   * would write. At least 4 in all; the first is canonical.
   */
  descriptions: readonly string[];
  /**
   * The keyword pattern that judges a prompt, as regex source text. For math tasks it is the
   * paper's `check_answer_func` string verbatim; it is applied case-insensitively with search
   * semantics (Python's `re.search(p, s, re.IGNORECASE)` and JS `new RegExp(p, 'i').test(s)`
   * agree on every pattern here).
   */
  pattern: string;
  /** `pattern` compiled with the 'i' flag (never 'g', so it carries no lastIndex state). */
  keywords: RegExp;
  /** Whether a found prompt is correct: `keywords` searched in the prompt text, case-insensitively. */
  isCorrect(prompt: string): boolean;
  /** Every input this task generates matches this (anchored). */
  inputFormat: RegExp;
  /** Every output this task generates matches this (anchored). */
  outputFormat: RegExp;
  /**
   * Seeded and deterministic: the same (n, seed) gives the same examples, another seed another
   * order. Draws without replacement from `all()`, reshuffling after each full pass, so n up to
   * the size of the space gives distinct examples.
   */
  generate(n: number, seed: number): Example[];
  /** Every example, in a fixed order, where the space is small (true of every task in this suite). */
  all?(): Example[];
  /** The reference task this one follows, e.g. 'first_word_letter' (instruction induction). */
  reference?: string;
}
