/**
 * Clean wording: the shorter texts a found prompt could be cut to. Prompts have a fixed length in
 * tokens (as in the reference), so whatever the search did not need is left to chance: " Compute
 * a + b.arts". Candidates end on a word boundary with any dangling punctuation or operator dropped;
 * which one is kept is decided by scoring (explanations.ts), never by the text alone.
 */

const WORD = /[\p{L}\p{N}_]/u;
/** What may end a cleaned text besides a letter or digit: sentence ends and closing marks. */
const END_OK = /[\p{L}\p{N}_.!?)\]}"'’”%]/u;
const SENTENCE_END = /[.!?]/u;
const HAS_CONTENT = /[\p{L}\p{N}]/u;

export interface Wording {
  text: string;
  /**
   * The cut drops only what follows a sentence's end (" Compute a + b. two" -> " Compute a + b.")
   * or dangling punctuation: such a tail is most often noise, so a small loss is accepted for it.
   * A cut inside the sentence drops words that may carry the meaning, so it must lower the loss.
   */
  tailOnly: boolean;
}

/** `text` without trailing spaces and dangling punctuation (" a +" -> " a", " (b" stays " (b"). */
export function trimDangling(text: string): string {
  let end = text.length;
  while (end > 0 && !END_OK.test(text[end - 1])) end--;
  return text.slice(0, end);
}

/**
 * Every distinct shorter text `text` can be cut to on a word boundary, shortest first: cut where a
 * word character meets a non-word one, then trimDangling. Texts with no letter or digit left are
 * not candidates; neither is `text` trimmed, unless trimming changed it.
 */
export function shorterWordings(text: string): Wording[] {
  const chars = [...text];
  const full = trimDangling(text);
  // What is left after cutting at each sentence end (with and without the end mark), and the whole text trimmed.
  const tails = new Set<string>();
  if (full !== text) tails.add(full);
  // The final end mark alone (" Add two." -> " Add two"): punctuation, and the template adds ". " anyway.
  if (SENTENCE_END.test(full.slice(-1))) tails.add(trimDangling(full.slice(0, -1)));
  for (let i = 0, at = 0; i < chars.length; at += chars[i].length, i++) {
    // Not an end: the last character, or a decimal point between digits ("3.5").
    if (!SENTENCE_END.test(chars[i]) || i === chars.length - 1 || (i > 0 && /\d/.test(chars[i - 1]) && /\d/.test(chars[i + 1]))) continue;
    const upTo = text.slice(0, at + chars[i].length);
    tails.add(trimDangling(upTo));
    tails.add(trimDangling(text.slice(0, at)));
  }
  const out = new Map<string, Wording>();
  const add = (cut: string) => {
    if (HAS_CONTENT.test(cut) && cut !== text && cut.length <= full.length) out.set(cut, { text: cut, tailOnly: tails.has(cut) });
  };
  let prefix = '';
  for (let i = 0; i < chars.length; i++) {
    if (i > 0 && WORD.test(chars[i - 1]) !== WORD.test(chars[i])) add(trimDangling(prefix));
    prefix += chars[i];
  }
  for (const t of tails) add(t);
  return [...out.values()].sort((a, b) => a.text.length - b.text.length);
}
