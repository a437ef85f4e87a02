/**
 * Word lists for the word tasks, written out here so that the suite needs no download.
 * Every word is lowercase a-z. Nouns are countable (so they have a plural) except colours,
 * and each appears in exactly one category; words with two common readings
 * (orange: fruit or colour, mango: mangoes or mangos) are left out on purpose.
 */

/** Common nouns by the category the `category` task answers with. */
export const NOUNS_BY_CATEGORY: Readonly<Record<string, readonly string[]>> = Object.freeze({
  animal: [
    'cat', 'dog', 'horse', 'cow', 'pig', 'sheep', 'goat', 'mouse', 'rabbit', 'fox', 'wolf',
    'bear', 'lion', 'tiger', 'elephant', 'giraffe', 'zebra', 'monkey', 'donkey', 'turkey',
    'goose', 'duck', 'chicken', 'owl', 'eagle', 'parrot', 'frog', 'snake', 'turtle', 'shark',
    'whale', 'dolphin', 'fish', 'deer', 'ox', 'bee', 'ant', 'spider', 'camel', 'kangaroo',
    'squirrel', 'butterfly',
  ],
  fruit: [
    'apple', 'banana', 'cherry', 'grape', 'lemon', 'peach', 'pear', 'plum', 'strawberry',
    'melon', 'kiwi', 'coconut', 'pineapple', 'apricot', 'lime', 'berry', 'fig',
  ],
  vegetable: [
    'carrot', 'potato', 'tomato', 'onion', 'cabbage', 'pepper', 'cucumber', 'pumpkin', 'radish',
    'bean', 'pea', 'lettuce', 'leek', 'turnip', 'beet',
  ],
  color: ['red', 'blue', 'green', 'yellow', 'purple', 'pink', 'brown', 'gray', 'black', 'white'],
  clothing: [
    'shirt', 'dress', 'skirt', 'coat', 'jacket', 'sweater', 'hat', 'cap', 'sock', 'shoe', 'boot',
    'glove', 'belt', 'tie', 'blouse', 'vest', 'sandal', 'uniform',
  ],
  vehicle: [
    'car', 'bus', 'truck', 'train', 'bicycle', 'boat', 'ship', 'plane', 'taxi', 'tractor', 'van',
    'rocket', 'helicopter', 'motorcycle', 'scooter', 'canoe',
  ],
  'body part': [
    'hand', 'foot', 'head', 'arm', 'leg', 'eye', 'ear', 'nose', 'mouth', 'tooth', 'finger',
    'knee', 'elbow', 'shoulder', 'neck', 'toe', 'lip', 'heart', 'thumb', 'ankle',
  ],
  furniture: [
    'table', 'chair', 'sofa', 'bed', 'desk', 'shelf', 'couch', 'bench', 'stool', 'cupboard',
    'wardrobe', 'dresser', 'cabinet',
  ],
  instrument: [
    'piano', 'guitar', 'violin', 'drum', 'flute', 'trumpet', 'harp', 'cello', 'saxophone',
    'clarinet', 'tuba', 'harmonica',
  ],
  job: [
    'teacher', 'doctor', 'nurse', 'farmer', 'baker', 'pilot', 'lawyer', 'dentist', 'chef',
    'plumber', 'painter', 'singer', 'dancer', 'writer', 'driver', 'soldier', 'judge', 'waiter',
    'artist', 'engineer',
  ],
  tool: [
    'hammer', 'saw', 'drill', 'wrench', 'shovel', 'rake', 'axe', 'knife', 'ladder', 'brush',
    'needle', 'chisel', 'spade', 'broom', 'screwdriver',
  ],
  place: [
    'school', 'hospital', 'library', 'church', 'city', 'village', 'farm', 'park', 'beach',
    'museum', 'market', 'bank', 'airport', 'castle', 'factory', 'bakery', 'forest', 'island',
    'desert', 'mountain', 'river', 'garden', 'office', 'zoo', 'station',
  ],
  person: ['man', 'woman', 'child', 'person', 'baby', 'boy', 'girl', 'king', 'queen', 'princess', 'lady'],
  plant: ['tree', 'flower', 'leaf', 'bush', 'rose', 'tulip', 'daisy', 'fern', 'vine', 'oak'],
});

/** Categories whose words have no ordinary plural (colours as nouns: "reds" is rare). */
const NO_PLURAL_CATEGORIES: ReadonlySet<string> = new Set(['color']);

/**
 * Antonym pairs, each word in one pair only, so "the opposite" is a function. Mostly
 * adjectives; a few verbs and nouns with an unmistakable opposite.
 */
export const ANTONYM_PAIRS: readonly (readonly [string, string])[] = Object.freeze([
  ['hot', 'cold'], ['big', 'small'], ['tall', 'short'], ['fast', 'slow'], ['happy', 'sad'],
  ['light', 'dark'], ['old', 'young'], ['hard', 'soft'], ['wet', 'dry'], ['early', 'late'],
  ['rich', 'poor'], ['strong', 'weak'], ['thick', 'thin'], ['wide', 'narrow'], ['deep', 'shallow'],
  ['loud', 'quiet'], ['clean', 'dirty'], ['full', 'empty'], ['open', 'closed'], ['true', 'false'],
  ['good', 'bad'], ['high', 'low'], ['near', 'far'], ['cheap', 'expensive'], ['easy', 'difficult'],
  ['safe', 'dangerous'], ['sweet', 'sour'], ['brave', 'cowardly'], ['polite', 'rude'], ['kind', 'cruel'],
  ['clever', 'stupid'], ['friendly', 'hostile'], ['alive', 'dead'], ['awake', 'asleep'], ['beautiful', 'ugly'],
  ['smooth', 'rough'], ['sharp', 'dull'], ['tight', 'loose'], ['wise', 'foolish'], ['guilty', 'innocent'],
  ['public', 'private'], ['major', 'minor'], ['inside', 'outside'], ['push', 'pull'], ['buy', 'sell'],
  ['win', 'lose'], ['give', 'take'], ['love', 'hate'], ['remember', 'forget'], ['accept', 'refuse'],
  ['laugh', 'cry'], ['day', 'night'], ['north', 'south'], ['east', 'west'], ['question', 'answer'],
  ['friend', 'enemy'], ['summer', 'winter'], ['entrance', 'exit'], ['victory', 'defeat'], ['present', 'absent'],
  ['increase', 'decrease'], ['positive', 'negative'], ['ancient', 'modern'], ['top', 'bottom'], ['front', 'back'],
  ['left', 'right'], ['correct', 'wrong'], ['always', 'never'], ['many', 'few'], ['more', 'less'],
] as const);

/**
 * Plurals that the three regular spelling rules (+es after s/x/z/ch/sh, consonant+y -> ies,
 * else +s) get wrong, for the nouns above: true irregulars, unchanged plurals, f -> ves, o -> oes.
 */
export const IRREGULAR_PLURALS: Readonly<Record<string, string>> = Object.freeze({
  mouse: 'mice',
  goose: 'geese',
  ox: 'oxen',
  sheep: 'sheep',
  deer: 'deer',
  fish: 'fish',
  foot: 'feet',
  tooth: 'teeth',
  man: 'men',
  woman: 'women',
  child: 'children',
  person: 'people',
  wolf: 'wolves',
  knife: 'knives',
  leaf: 'leaves',
  shelf: 'shelves',
  potato: 'potatoes',
  tomato: 'tomatoes',
});

/** English plural of one of the nouns above (irregulars from the table, else the regular rules). */
export function pluralOf(noun: string): string {
  const irregular = IRREGULAR_PLURALS[noun];
  if (irregular !== undefined) return irregular;
  const last = noun.slice(-1);
  const lastTwo = noun.slice(-2);
  if (last === 's' || last === 'x' || last === 'z' || lastTwo === 'ch' || lastTwo === 'sh') return `${noun}es`;
  if (last === 'y' && !'aeiou'.includes(noun.charAt(noun.length - 2))) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

const unique = (words: Iterable<string>): string[] => [...new Set(words)];

/** Every categorised noun, in list order. */
export const NOUNS: readonly string[] = Object.freeze(unique(Object.values(NOUNS_BY_CATEGORY).flat()));

/** Nouns with an ordinary plural (all but colours). */
export const COUNTABLE_NOUNS: readonly string[] = Object.freeze(
  Object.entries(NOUNS_BY_CATEGORY)
    .filter(([category]) => !NO_PLURAL_CATEGORIES.has(category))
    .flatMap(([, words]) => words),
);

/** Every word that has an antonym here, in pair order. */
export const ANTONYM_WORDS: readonly string[] = Object.freeze(ANTONYM_PAIRS.flat());

/** Word -> its opposite, both directions. */
export const ANTONYMS: ReadonlyMap<string, string> = new Map(
  ANTONYM_PAIRS.flatMap(([a, b]) => [
    [a, b],
    [b, a],
  ]),
);

/** Word -> category, for every categorised noun. */
export const CATEGORY_OF: ReadonlyMap<string, string> = new Map(
  Object.entries(NOUNS_BY_CATEGORY).flatMap(([category, words]) => words.map((w) => [w, category] as const)),
);

/** The input words of the spelling tasks (letters, length, case, reversal): nouns then antonym words. */
export const WORDS: readonly string[] = Object.freeze(unique([...NOUNS, ...ANTONYM_WORDS]));

/** Lowercase alphabet, for the next/previous-letter tasks. */
export const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
