/**
 * Clean wording: the shorter texts a found prompt could be cut to. Prompts have a fixed length in
 * tokens (as in the reference), so whatever the search did not need is left to chance: " Compute
 * a + b.arts". Candidates end on a word boundary with any dangling punctuation or operator dropped;
 * which one is kept is decided by scoring (explanations.ts), never by the text alone.
 */

const WORD = /[\p{L}\p{N}_]/u;
/** What may end a cleaned text besides a letter or digit: sentence ends and closing marks. */
const END_OK = /[\p{L}\p{N}_.!?)\]}"'’”%]/u;

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
export function shorterWordings(text: string): string[] {
  const chars = [...text];
  const full = trimDangling(text);
  const out = new Set<string>();
  let prefix = '';
  for (let i = 0; i < chars.length; i++) {
    if (i > 0 && WORD.test(chars[i - 1]) !== WORD.test(chars[i])) {
      const cut = trimDangling(prefix);
      if (/[\p{L}\p{N}]/u.test(cut) && cut.length < full.length) out.add(cut);
    }
    prefix += chars[i];
  }
  if (full !== text && /[\p{L}\p{N}]/u.test(full)) out.add(full);
  return [...out].sort((a, b) => a.length - b.length);
}
