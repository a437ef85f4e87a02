/**
 * The paper's ten synthetic math tasks (reference section 3.1; research repo
 * `iprompt/data_utils/{one_num,two_num}.py` and `data_funcs.py`), with template 0, the one used:
 *
 *   two numbers: 'Given the input numbers {a} and {b}, the answer is'  ->  ' {g([a, b])}.\n\n'
 *   one number:  'Given the input x is {x}, the output f(x) is'         ->  ' {g(x)}.\n\n'
 *
 * The outputs keep the reference's trailing '.\n\n' (its templates are "stackable": n-shot texts
 * are joined with nothing in between). The search strips it before scoring
 * (`s.rstrip().rstrip('.')`, see `stripOutput`), so ' 8.\n\n' is scored as ' 8'.
 *
 * Number ranges follow the reference default max_digit = 10: with at most two inputs the code
 * enumerates the whole space in a fixed order (a = i // 10, b = i % 10 for i < 100; x = i % 10
 * for i < 10), so `all()` returns exactly that list and `generate` samples from it.
 *
 * Patterns are the paper's `check_answer_func` strings verbatim, quirks included: `\-` makes
 * any hyphen count as "subtract", `2` any digit 2 as "double", `\*` any asterisk as "multiply"
 * (so double_one's own ground truth "return 2*x" passes multiply_two), and the `e\s*^\s*x`
 * alternative of exp_one can never match because `^` anchors at the start of the text.
 */
import { defineTask } from './define.ts';
import type { Example, Task } from './types.ts';

const TWO_INPUT = /^Given the input numbers (\d) and (\d), the answer is$/;
const ONE_INPUT = /^Given the input x is (\d), the output f\(x\) is$/;

const twoInput = (a: number, b: number): string => `Given the input numbers ${a} and ${b}, the answer is`;
const oneInput = (x: number): string => `Given the input x is ${x}, the output f(x) is`;
/** Reference output template: a leading space, the answer, a period and two newlines. */
const answer = (y: string | number): string => ` ${y}.\n\n`;
const outputOf = (body: string): RegExp => new RegExp(`^ ${body}\\.\\n\\n$`);

/** Python's str() of a float: shortest round-trip digits, and '.0' on integral values. */
export function pythonFloatStr(v: number): string {
  const s = String(v);
  return Number.isInteger(v) && !/[e.]/.test(s) ? `${s}.0` : s;
}

/** `np.exp(x).round(2)` printed as Python prints it: 1.0, 2.72, 7.39, 20.09, 54.6, ... */
export function exp2(x: number): string {
  return pythonFloatStr(Math.round(Math.exp(x) * 100) / 100);
}

/** `data_funcs.fib_n`: fib(0) = 0, fib(1) = 1. */
export function fib(n: number): number {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

function twoNumTask(
  id: string,
  title: string,
  descriptions: string[],
  pattern: string,
  g: (a: number, b: number) => string | number,
  outputBody: string,
): Task {
  return defineTask({
    id,
    family: 'math',
    title,
    descriptions,
    pattern,
    inputFormat: TWO_INPUT,
    outputFormat: outputOf(outputBody),
    reference: id,
    space: () => {
      const out: Example[] = [];
      for (let i = 0; i < 100; i++) {
        const a = Math.floor(i / 10);
        const b = i % 10;
        out.push({ input: twoInput(a, b), output: answer(g(a, b)) });
      }
      return out;
    },
  });
}

function oneNumTask(
  id: string,
  title: string,
  descriptions: string[],
  pattern: string,
  g: (x: number) => string | number,
  outputBody: string,
): Task {
  return defineTask({
    id,
    family: 'math',
    title,
    descriptions,
    pattern,
    inputFormat: ONE_INPUT,
    outputFormat: outputOf(outputBody),
    reference: id,
    space: () => Array.from({ length: 10 }, (_, x) => ({ input: oneInput(x), output: answer(g(x)) })),
  });
}

/** In the order of the paper's `experiments/scripts/maths.py`. */
export const MATH_TASKS: readonly Task[] = Object.freeze([
  twoNumTask(
    'add_two',
    'Add two numbers',
    [
      'Return the sum of the inputs.',
      'Add the two numbers together.',
      'Output the sum of the two numbers.',
      'Compute a + b.',
      'Add up both inputs and write the total.',
    ],
    'add|sum|\\+',
    (a, b) => a + b,
    '\\d{1,2}',
  ),
  twoNumTask(
    'multiply_two',
    'Multiply two numbers',
    [
      'Return the product of the inputs.',
      'Multiply the two numbers.',
      'Output the product of the two numbers.',
      'Compute a * b.',
      'Multiply the first number by the second one.',
    ],
    'multiply|product|\\*',
    (a, b) => a * b,
    '\\d{1,2}',
  ),
  twoNumTask(
    'subtract_two',
    'Subtract two numbers',
    [
      'Return the difference of the inputs.',
      'Subtract the second number from the first.',
      'Output the difference between the two numbers.',
      'Compute a - b.',
      'Subtract to find how far apart the two numbers are.',
    ],
    'subtract|difference|\\-',
    (a, b) => a - b,
    '-?\\d',
  ),
  twoNumTask(
    'max_two',
    'Larger of two numbers',
    [
      'Return the maximum of the inputs.',
      'Output the larger of the two numbers.',
      'Return the bigger number.',
      'Give the greater of the two inputs.',
      'Compute max(a, b).',
    ],
    'max|large|greate|big',
    (a, b) => Math.max(a, b),
    '\\d',
  ),
  twoNumTask(
    'first_two',
    'First of two numbers',
    [
      'Return the first of the inputs.',
      'Output the first number.',
      'Return the first one and ignore the second number.',
      'Return the number given first.',
      'Repeat the original first input.',
    ],
    'first|begin|original',
    (a) => a,
    '\\d',
  ),
  oneNumTask(
    'square_one',
    'Square a number',
    [
      'Square the input to get the output.',
      'Return the square of the number.',
      'Multiply the number by itself.',
      'Output x squared.',
      'Compute x * x.',
    ],
    'square|(mult.*self)|(prod.*self)|x\\s*\\*\\s*x|pow\\(x,\\s*2\\)',
    (x) => x * x,
    '\\d{1,2}',
  ),
  oneNumTask(
    'double_one',
    'Double a number',
    [
      'Given an input x, return 2*x.',
      'Double the input.',
      'Multiply the number by two.',
      'Return the input times 2.',
      'Output double the number.',
    ],
    'two|double|2',
    (x) => 2 * x,
    '\\d{1,2}',
  ),
  oneNumTask(
    'exp_one',
    'Exponential of a number',
    [
      'Exponentiate the input to get the output.',
      'Return the exponential of x, rounded to two decimals.',
      'Compute exp(x).',
      'Output e to the x.',
      'Take the exponential of the input.',
    ],
    'exp|e\\s*^\\s*x|e\\s*to the\\s*x',
    exp2,
    '\\d+\\.\\d{1,2}',
  ),
  oneNumTask(
    'fibonacci_one',
    'Fibonacci number',
    [
      'Given an input x, return the xth fibonacci number.',
      'Output the Fibonacci number at position x.',
      'Return the Fibonacci number of the input.',
      'Compute fib(x).',
      'Give the Fibonacci term at index x.',
    ],
    'fib',
    fib,
    '\\d{1,2}',
  ),
  twoNumTask(
    'divide_two',
    'Divide two numbers (as a fraction)',
    [
      'Return the quotient of the inputs.',
      'Divide the first number by the second.',
      'Write the first number divided by the second as a fraction.',
      'Output the quotient a/b.',
      'Divide the inputs and give the fraction.',
    ],
    'divide|into|quotient',
    // The paper's divide writes the fraction as text, even for b = 0.
    (a, b) => `${a}/${b}`,
    '\\d\\/\\d',
  ),
]);
