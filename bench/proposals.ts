/**
 * npm run bench:proposals [-- --model NAME] [--samples 20] [--tokens 6] [--json]
 *
 * How often the model's proposals name the right task: for every task in the suite, sample
 * prompts after the search's proposal template ("Data:\n\n{3 examples}\n\nPrompt:") with the
 * search's sampling (temperature 1, top-k 50, repetition penalty 2.0 over the whole context,
 * newlines banned, fixed length) and judge each with the task's keyword pattern. A figure, not a
 * test: the search needs some right and some wrong first guesses.
 */
import { loadNodeModel } from '../src/engine/node/nodeModel.ts';
import { DEFAULT_MODEL } from '../src/engine/shippedModels.ts';
import { stripOutput, TASKS } from '../src/datasets/tasks/index.ts';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const modelName = flag('--model', DEFAULT_MODEL);
const samples = Number(flag('--samples', '20'));
const tokens = Number(flag('--tokens', '6'));
const json = args.includes('--json');

const m = await loadNodeModel(modelName, { dtype: 'q4' });
const banned = m.tokenizer.idsContaining('\n');
const rows: { task: string; rate: number; examples: string[] }[] = [];
for (const task of TASKS) {
  const contexts: number[][] = [];
  for (let s = 0; s < samples; s++) {
    const data = task.generate(3, 1000 + s).map((e) => `${e.input}${stripOutput(e.output)}.`);
    contexts.push(m.tokenizer.encode(`Data:\n\n${data.join('\n\n')}\n\nPrompt:`));
  }
  const out = await m.engine.generate(contexts, { max_new_tokens: tokens, seed: 1, temperature: 1, top_k: 50, top_p: 1, repetition_penalty: 2, banned_token_ids: banned });
  const texts = out.map((ids) => m.tokenizer.decode(ids));
  rows.push({ task: task.id, rate: texts.filter((t) => task.isCorrect(t)).length / samples, examples: texts.slice(0, 3) });
}
const mean = rows.reduce((s, r) => s + r.rate, 0) / rows.length;
if (json) console.log(JSON.stringify({ model: modelName, samples, tokens, rows, mean }));
else {
  console.log(`proposals naming the right task (${modelName}, ${samples} samples of ${tokens} tokens per task)`);
  for (const r of rows) console.log(`${r.task.padEnd(16)} ${(100 * r.rate).toFixed(0).padStart(4)}%   e.g. ${r.examples.map((e) => JSON.stringify(e)).join(', ')}`);
  console.log(`mean ${(100 * mean).toFixed(0)}%`);
}
await m.dispose();
