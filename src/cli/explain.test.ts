/**
 * The command line as a user runs it: a real child process, the shipped model, real files.
 */
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTask } from '../datasets/tasks/index.ts';
import { OPTION_DOCS } from '../iprompt/index.ts';
import { trimDangling } from '../iprompt/clean.ts';
import { runExplain } from '../test/runExplain.ts';

const explain = runExplain;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'explain-cli-'));
});

describe('npm run explain', () => {
  it('--dataset add_two with the default settings ranks an add prompt first', async () => {
    const { code, stdout, stderr } = await explain(['--dataset', 'add_two', '--json']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    const add = getTask('add_two');
    expect(add.isCorrect(result.prompts[0].text), result.prompts[0].text).toBe(true);
    expect(result.prompts[0]).toMatchObject({ text: expect.any(String), loss: expect.any(Number), accuracy: expect.any(Number), timesScored: expect.any(Number) });
    expect(result.prompts[0].accuracy).toBeGreaterThan(result.metadata.baseline.accuracy);
    expect(result.metadata).toMatchObject({ model: 'tiny-tasks-llama', ranking: 'held_out', options: { num_learned_tokens: 6, seed: 42 } });
    // The cleaned explanation leads: a correct description, with no stray token after it, that beats no prompt.
    expect(result.verdict.explained).toBe(true);
    const top = result.explanations[0];
    expect(add.isCorrect(top.text), top.text).toBe(true);
    expect(top.text).toBe(trimDangling(top.text));
    expect(top.text.split(' ').length).toBeLessThanOrEqual(result.prompts[0].text.split(' ').length);
    expect(top.accuracyInterval.low).toBeLessThanOrEqual(top.accuracy);
    // Progress went to stderr, step by step.
    expect(stderr).toMatch(/step 1\/\d+ .*best ".*" loss \d/);
    expect(stderr).toMatch(/tok\/s/);
  }, 600_000);

  it('reads a TSV file by column names and prints the ranked table', async () => {
    const file = path.join(dir, 'pairs.tsv');
    const ex = getTask('double_one').generate(10, 3);
    await writeFile(file, 'id\tquestion\tanswer\n' + ex.map((e, i) => `${i}\t${e.input}\t${e.output.trimEnd()}`).join('\n') + '\n');
    const out = path.join(dir, 'result.json');
    const { code, stdout, stderr } = await explain(['--data', file, '--input-col', 'question', '--output-col', 'answer', '--max-n-steps', '1', '--seed', '3', '--out', out]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/pairs\.tsv \(tsv, 10 rows, question -> answer\)/);
    expect(stdout).toMatch(/^rank +accuracy \[95% interval\] +loss \[95% interval\] +explanation$/m);
    expect(stdout).toMatch(/\(no prompt, 3 held-out examples\)/);
    expect(stdout).toMatch(/2 steps \(max_n_steps\)/);
    const saved = JSON.parse(await readFile(out, 'utf8'));
    expect(saved.metadata.options).toMatchObject({ max_n_steps: 1, seed: 3 });
    expect(saved.metadata.sizes.examples).toBe(10);
  }, 120_000);

  it('says plainly when nothing explains the data (countries and capitals on the built-in model), and scores --score descriptions beside the found ones', async () => {
    const file = path.join(dir, 'capitals.tsv');
    const pairs = [['France', 'Paris'], ['Germany', 'Berlin'], ['Italy', 'Rome'], ['Spain', 'Madrid'], ['Japan', 'Tokyo'], ['Egypt', 'Cairo'], ['Peru', 'Lima'], ['Canada', 'Ottawa'], ['Kenya', 'Nairobi'], ['Norway', 'Oslo'], ['Cuba', 'Havana'], ['India', 'New Delhi']];
    await writeFile(file, 'input\toutput\n' + pairs.map((p) => p.join('\t')).join('\n') + '\n');
    const out = path.join(dir, 'capitals.json');
    const { code, stdout, stderr } = await explain(['--data', file, '--max-n-steps', '20', '--score', ' The capital of the country', '--score', ' Add the two numbers', '--out', out]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Nothing here explains the data: no explanation beats no prompt at all on the 3 held-out examples/m);
    expect(stdout).toContain('try a larger model');
    expect(stdout).toMatch(/^ you .*" The capital of the country"$/m);
    expect(stdout).toMatch(/^ you .*" Add the two numbers"$/m);
    const saved = JSON.parse(await readFile(out, 'utf8'));
    expect(saved.verdict.explained).toBe(false);
    expect(saved.descriptions.map((d: { text: string }) => d.text)).toEqual([' The capital of the country', ' Add the two numbers']);
    expect(saved.descriptions[0]).toMatchObject({ source: 'user', loss: expect.any(Number), lossInterval: { low: expect.any(Number), high: expect.any(Number) } });
    expect(saved.metadata.evidence.examples).toHaveLength(3);
  }, 300_000);

  it('--score with an empty description is a usage error', async () => {
    const { code, stderr } = await explain(['--dataset', 'add_two', '--score', ' ']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--score needs a description/);
  });

  it('names the line of a malformed file and exits 2', async () => {
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, 'input,output\n"a,b",1\n"c,2\n');
    const { code, stderr, stdout } = await explain(['--data', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: Line 3: .*never closed/m);
    expect(stdout).toBe('');
  });

  it('rejects a missing column, an unknown flag and a bad option value, naming each', async () => {
    const file = path.join(dir, 'ok.csv');
    await writeFile(file, 'q,a\nx,1\ny,2\n');
    const missing = await explain(['--data', file, '--input-col', 'question']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/question/);
    expect(missing.stderr).toMatch(/q, a|"q", "a"|q,a/);
    const unknown = await explain(['--dataset', 'add_two', '--pop-sise', '3']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toMatch(/Unknown flag --pop_sise/);
    const bad = await explain(['--dataset', 'add_two', '--batch_size', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--batch_size takes a number/);
  });

  it('--help lists every search option with its default', async () => {
    const { code, stdout } = await explain(['--help']);
    expect(code).toBe(0);
    for (const name of Object.keys(OPTION_DOCS)) expect(stdout).toContain(`--${name}`);
    expect(stdout).toMatch(/--num_learned_tokens +.*\[6\]/);
  });
});
