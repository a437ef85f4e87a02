import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { getAddTwoNumbersDataset } from '../datasets/tasks/addTwo.ts';
import {
  PERMALINK_MAX_LENGTH,
  PermalinkError,
  decodePermalink,
  encodePermalink,
  hashDataset,
  packFragment,
  openPermalink,
  LINK_LIMITS,
  sha256Hex,
  type SharedRun,
} from './permalink.ts';
import { oversizedRun } from './testing/oversizedRun.ts';
import { modelLabel, modelRefOf } from '../app/runRecord.ts';

/** A realistic finished run: 100 add_two pairs, 64 ranked prompts, 30 series points. */
function realisticRun(): SharedRun {
  const { inputs, outputs } = getAddTwoNumbersDataset();
  return {
    data: { inputs, outputs, name: 'add_two' },
    model: { kind: 'shipped', name: 'SmolLM2-135M-Instruct' },
    dtype: 'q4f16',
    backend: 'webgpu',
    options: { seed: 42, num_learned_tokens: 6, pop_size: 8, max_n_steps: 30, preprefix: '', do_final_reranking: true },
    result: {
      prompts: Array.from({ length: 64 }, (_, i) => ({
        text: ` Add the two numbers given${i % 3 ? ' and state the sum' : ''} (#${i})`,
        loss: 0.3 + i * 0.0123456789,
        accuracy: Math.max(0, 0.97 - i / 71),
        timesScored: 2 + (i % 5),
      })),
      baseline: { loss: 3.141592653589793, accuracy: 0.04, examples: 25 },
      series: Array.from({ length: 30 }, (_, i) => ({
        step: i,
        bestLoss: 2 / (i + 1) + 1e-17,
        meanLoss: 3 / (i + 1) + 0.1,
        bestAccuracy: i / 30,
      })),
      steps: 30,
      stoppedBy: 'max_n_steps',
      finishedAt: '2025-05-01T12:34:56.789Z',
      seconds: 123.456,
    },
  };
}

/** The run with explanations, a description, evidence on `n` held-out examples and a verdict, as a run made in the app carries them. */
function withExplanations(run: SharedRun, n = 25, greedyChars = 3): SharedRun {
  const per = (k: number) => ({ nll: Array.from({ length: n }, (_, i) => (i * k) / 7), correct: Array.from({ length: n }, (_, i) => (i + k) % 3 !== 0), greedy: Array.from({ length: n }, (_, i) => ` ${String(i * k).padEnd(greedyChars, 'x')}`) });
  const measured = (k: number) => ({ loss: 0.1 * k, accuracy: 1 - 0.1 * k, lossInterval: { low: 0.05 * k, high: 0.2 * k }, accuracyInterval: { low: 0.5, high: 1 }, perExample: per(k) });
  const explanation = (k: number, source: 'search' | 'user') => ({
    text: source === 'user' ? ' Add them' : ` Add the two numbers (#${k})`,
    source,
    cleaned: k % 2 === 0,
    variants: source === 'user' ? [] : [{ text: ` Add the two numbers (#${k}) x`, loss: 0.1 * k, accuracy: 1, rank: k }],
    tiedWithBest: k === 0,
    beatsBaseline: true,
    ...measured(k),
  });
  const { inputs, outputs } = run.data as { inputs: string[]; outputs: string[] };
  return {
    ...run,
    result: {
      ...run.result!,
      baseline: { ...run.result!.baseline!, lossInterval: { low: 3, high: 3.3 }, accuracyInterval: { low: 0, high: 0.1 } },
      explanations: Array.from({ length: 8 }, (_, k) => explanation(k, 'search')),
      descriptions: [explanation(1, 'user')],
      evidence: { examples: Array.from({ length: n }, (_, i) => ({ input: inputs[i % inputs.length], output: outputs[i % outputs.length], tokens: 1 + (i % 2) })), split: 'held_out', baseline: measured(9), firstTokenChoices: null, bootstrapSeed: 123 },
      verdict: { explained: true, message: '"Add the two numbers" explains the data better than no prompt.' },
    },
  };
}

/** The PermalinkError code of decoding `link`, failing the test on any other outcome. */
async function codeOf(link: string): Promise<string> {
  try {
    await decodePermalink(link);
  } catch (e) {
    expect(e).toBeInstanceOf(PermalinkError);
    return (e as PermalinkError).code;
  }
  throw new Error(`decoded ${JSON.stringify(link.slice(0, 40))} without an error`);
}

/** CRC-32 (IEEE) of a payload's characters, bit by bit: independent of the codec's table-driven one. */
function crc32(text: string): string {
  let c = ~0;
  for (let i = 0; i < text.length; i++) {
    c ^= text.charCodeAt(i);
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (~c >>> 0).toString(16).padStart(8, '0');
}

/** A well-formed header (version, length, checksum) around any payload. */
const linkAround = (payload: string) => `#run=1.${payload.length}.${crc32(payload)}.${payload}`;

async function errorOf(link: string): Promise<PermalinkError> {
  try {
    await decodePermalink(link);
  } catch (e) {
    if (e instanceof PermalinkError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('permalink round trip', () => {
  it('returns a realistic run exactly', async () => {
    const run = realisticRun();
    const { fragment, dataIncluded, length, note } = await encodePermalink(run);
    console.log(`realistic run (100 add_two pairs, 64 prompts, 30 points): fragment of ${length} characters`);
    expect(fragment).toMatch(/^#run=1\.\d+\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(length).toBe(fragment.length);
    expect(length).toBeLessThanOrEqual(PERMALINK_MAX_LENGTH);
    expect(dataIncluded).toBe(true);
    expect(note).toBeNull();
    const back = await decodePermalink(fragment);
    expect(back).toEqual(run);
    // Numbers survive bit for bit.
    expect(back.result!.series[3].bestLoss).toBe(run.result!.series[3].bestLoss);
    expect(back.result!.baseline!.loss).toBe(Math.PI);
  });

  it('keeps unicode in the data', async () => {
    const run: SharedRun = {
      data: { inputs: ['emoji 😀👍🏽', '中文输入', 'tab\there\nnew line\r\n', ''], outputs: ['🎉', '日本語', '\u0000\u2028', 'é'] },
      model: { kind: 'hub', id: 'onnx-community/Qwen2.5-0.5B-Instruct' },
      options: { seed: 7 },
      result: null,
    };
    expect(await decodePermalink((await encodePermalink(run)).fragment)).toEqual(run);
  });

  it('a run on a vLLM server round-trips by the served model\'s name, and the record it comes from holds no address or key', async () => {
    const info = { kind: 'server' as const, name: 'Qwen/Qwen2.5-7B-Instruct', throughput: null, loadMs: 12, server: { url: 'http://10.0.0.7:8000', model: 'Qwen/Qwen2.5-7B-Instruct', maxModelLen: 32768, tokenizerCheck: 'tokenize endpoint' as const, contextPrefix: [], tokenizerSource: 'Qwen/Qwen2.5-7B-Instruct' } };
    const ref = modelRefOf({ kind: 'hub', id: 'Qwen/Qwen2.5-7B-Instruct' }, info);
    expect(ref).toEqual({ kind: 'server', name: 'Qwen/Qwen2.5-7B-Instruct' });
    const run: SharedRun = { ...realisticRun(), model: ref, dtype: undefined, backend: 'vllm-server' };
    const { fragment } = await encodePermalink(run);
    expect(await decodePermalink(fragment)).toEqual(JSON.parse(JSON.stringify(run)));
    expect(modelLabel(ref)).toBe('Qwen/Qwen2.5-7B-Instruct (on a server)');
  });

  it('accepts a whole URL, a fragment without "#", and a link broken over lines', async () => {
    const run = realisticRun();
    const { fragment } = await encodePermalink(run);
    expect(await decodePermalink(`https://example.org/iprompt/?x=1${fragment}`)).toEqual(run);
    expect(await decodePermalink(fragment.slice(1))).toEqual(run);
    const wrapped = fragment.replace(/(.{76})/g, '$1\n');
    expect(await decodePermalink(`  ${wrapped}  `)).toEqual(run);
    // Punctuation picked up after the link is ignored.
    expect(await decodePermalink(`${fragment}.`)).toEqual(run);
    expect(await decodePermalink(`${fragment})`)).toEqual(run);
  });
});

describe('too much data', () => {
  it('falls back to the hash of a ~20 MB dataset, with a note stating the limit', async () => {
    const inputs: string[] = [];
    const outputs: string[] = [];
    for (let i = 0; inputs.length < 400_000; i++) {
      const a = (i * 7919) % 1_000_003;
      const b = (i * 104_729) % 999_983;
      inputs.push(`Given the input numbers ${a} and ${b}, the answer is`);
      outputs.push(` ${a + b}.`);
    }
    const run: SharedRun = { ...realisticRun(), data: { inputs, outputs, name: 'big' } };
    expect(JSON.stringify(run.data).length).toBeGreaterThan(20e6);
    const encoded = await encodePermalink(run);
    expect(encoded.dataIncluded).toBe(false);
    expect(encoded.length).toBeLessThanOrEqual(PERMALINK_MAX_LENGTH);
    expect(encoded.note).toContain('32,000');
    const back = await decodePermalink(encoded.fragment);
    expect(back.data).toEqual({ sha256: await hashDataset(inputs, outputs), count: 400_000, name: 'big' });
    expect(back.result).toEqual(run.result);
  });

  it('trims prompts and thins the series when even the results are too long', async () => {
    const run = realisticRun();
    run.result!.series = Array.from({ length: 5000 }, (_, i) => ({
      step: i, bestLoss: Math.sin(i) + 2, meanLoss: Math.cos(i) + 3, bestAccuracy: (i % 97) / 97,
    }));
    const encoded = await encodePermalink(run, { maxLength: 8000, maxPrompts: 10 });
    expect(encoded.length).toBeLessThanOrEqual(8000);
    expect(encoded.dataIncluded).toBe(false);
    expect(encoded.note).toMatch(/8,000-character limit.*also keeps only the first 10 of 64 prompts and \d+ of 5,000 progress points/s);
    const back = await decodePermalink(encoded.fragment);
    expect(back.result!.prompts).toEqual(run.result!.prompts.slice(0, 10));
    expect(back.result!.series.at(-1)).toEqual(run.result!.series.at(-1));
    expect(back.result!.series[0]).toEqual(run.result!.series[0]);
  });

  it('throws TOO_LARGE when nothing fits, saying what was tried', async () => {
    const run = realisticRun();
    run.options.preprefix = 'x'.repeat(200);
    await expect(encodePermalink(run, { maxLength: 100 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(encodePermalink(run, { maxLength: 100, maxPrompts: 3 })).rejects.toThrow(
      new PermalinkError('TOO_LARGE', 'This run is too large to share as a link, even without its data and with only 3 prompts (the 100-character limit).'),
    );
    // A run with no results yet has nothing to trim: the same refusal.
    await expect(encodePermalink({ ...run, result: null }, { maxLength: 100 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('refuses to encode a run that would not decode', async () => {
    const run = realisticRun();
    run.result!.prompts[2].loss = NaN;
    await expect(encodePermalink(run)).rejects.toThrow(/result\.prompts\[2\]\.loss should be a finite number/);
    await expect(encodePermalink(run)).rejects.toThrow(new TypeError('encodePermalink: this run cannot be shared: result.prompts[2].loss should be a finite number.'));
  });

  it('says exactly what a slimmed link dropped, and thins the series to every k-th point and the last', async () => {
    const run = realisticRun();
    // One character less than the whole run needs: the data goes, the results stay whole.
    const limit = packFragment(run)!.length - 1;
    const dataDropped = await encodePermalink(run, { maxLength: limit });
    expect(dataDropped.dataIncluded).toBe(false);
    expect(dataDropped.note).toBe(
      `The data made the link longer than the ${limit.toLocaleString('en-US')}-character limit, so the link carries the results and a fingerprint (SHA-256) of the data; whoever opens it needs the same data to run the search again.`,
    );
    expect((await decodePermalink(dataDropped.fragment)).result).toEqual(run.result);
    // Already without data (a fingerprint) and still too long: only the trimming is said.
    const hashed: SharedRun = { ...run, data: { sha256: 'a'.repeat(64), count: 100 } };
    hashed.result!.series = Array.from({ length: 3000 }, (_, i) => ({ step: i, bestLoss: Math.sin(i) + 2, meanLoss: Math.cos(i) + 3, bestAccuracy: (i % 89) / 89 }));
    const trimmed = await encodePermalink(hashed, { maxLength: 6000, maxPrompts: 5 });
    const back = await decodePermalink(trimmed.fragment);
    const kept = back.result!.series.map((p) => p.step);
    const k = kept[1] - kept[0];
    expect(k).toBeGreaterThan(1);
    // k is the first power of two that fits: every (k / 2)-th point (and the last) would not.
    expect(Math.log2(k) % 1).toBe(0);
    const denser = hashed.result!.series.filter((_, i, all) => i % (k / 2) === 0 || i === all.length - 1);
    expect(packFragment({ ...hashed, result: { ...hashed.result!, prompts: hashed.result!.prompts.slice(0, 5), series: denser } }, 6000)).toBeNull();
    expect(kept).toEqual([...Array.from({ length: Math.ceil(3000 / k) }, (_, i) => i * k), ...((2999 % k) === 0 ? [] : [2999])]);
    expect(trimmed.note).toBe(`To fit within the 6,000-character limit, it keeps only the first 5 of 64 prompts and ${kept.length.toLocaleString('en-US')} of 3,000 progress points.`);
  });

  it('packs to exactly the length limit and not one character over', () => {
    const f = packFragment(realisticRun())!;
    expect(packFragment(realisticRun(), f.length)).toBe(f);
    expect(packFragment(realisticRun(), f.length - 1)).toBeNull();
  });
});

describe('damaged links', () => {
  it('tells a cut-off link from something that is not a permalink, wherever it was cut', async () => {
    const { fragment } = await encodePermalink(realisticRun());
    const header = fragment.slice(0, fragment.lastIndexOf('.') + 1);
    expect(await codeOf('')).toBe('NOT_A_PERMALINK');
    expect(await codeOf(fragment.slice(0, 3))).toBe('NOT_A_PERMALINK'); // '#ru'
    expect(await codeOf('https://example.org/iprompt/')).toBe('NOT_A_PERMALINK');
    expect(await codeOf('#section-2')).toBe('NOT_A_PERMALINK');
    // Every cut from 'run=' to the last character of the payload.
    for (let cut = 5; cut < fragment.length; cut += cut < header.length + 2 ? 1 : 997) {
      expect(await codeOf(fragment.slice(0, cut)), `cut at ${cut}`).toBe('TRUNCATED');
    }
    expect(await codeOf(fragment.slice(0, -1))).toBe('TRUNCATED');
    const mid = Math.floor(fragment.length / 2);
    const e = await errorOf(`https://example.org/${fragment.slice(0, mid)}`);
    const want = fragment.length - header.length;
    expect(e.message).toBe(
      `This link is incomplete: it carries ${(mid - header.length).toLocaleString('en-US')} of ${want.toLocaleString('en-US')} characters. ` +
        'It was probably cut off when it was copied; ask for the whole link.',
    );
  });

  it('reports a flipped character as CORRUPT', async () => {
    const { fragment } = await encodePermalink(realisticRun());
    for (const at of [fragment.lastIndexOf('.') + 1, Math.floor(fragment.length / 2), fragment.length - 1]) {
      const c = fragment[at];
      const flipped = fragment.slice(0, at) + (c === 'A' ? 'B' : 'A') + fragment.slice(at + 1);
      const e = await errorOf(flipped);
      expect(e.code).toBe('CORRUPT');
      expect(e.message).toMatch(/checksum/);
    }
    // A character that base64url never has.
    const at = fragment.length - 5;
    expect(await codeOf(fragment.slice(0, at) + '!' + fragment.slice(at + 1))).toBe('CORRUPT');
    // A damaged header.
    expect(await codeOf(fragment.replace(/^#run=1\.(\d+)\./, '#run=1.$1x.'))).toBe('CORRUPT');
  });

  it('reports another format version as UNSUPPORTED_VERSION', async () => {
    const { fragment } = await encodePermalink(realisticRun());
    expect(await codeOf(fragment.replace('#run=1.', '#run=2.'))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf('#run=2.10.0000abcd.abc')).toBe('UNSUPPORTED_VERSION');
  });

  it('reports a well-packed run with missing or wrong fields as CORRUPT, naming the field', async () => {
    const good = realisticRun();
    const cases: [unknown, RegExp][] = [
      [{ ...good, result: { ...good.result, series: undefined } }, /result\.series is missing/],
      [{ ...good, model: undefined }, /model is missing/],
      [{ ...good, model: { kind: 'cloud', name: 'x' } }, /model\.kind/],
      [{ ...good, data: { inputs: ['a', 'b'], outputs: ['c'] } }, /data has 2 inputs but 1 outputs/],
      [{ ...good, data: { inputs: ['a', 3], outputs: ['c', 'd'] } }, /data\.inputs\[1\] should be text/],
      [{ ...good, data: { sha256: 'abc', count: 3 } }, /data\.sha256/],
      [{ ...good, options: { seed: null } }, /options\.seed should be a finite number/],
      [{ ...good, result: { ...good.result, prompts: [{ text: 'p', loss: 1, accuracy: 1 }] } }, /result\.prompts\[0\]\.timesScored is missing/],
      [[1, 2, 3], /the shared run should be an object/],
    ];
    for (const [value, message] of cases) {
      const e = await errorOf(packFragment(value)!);
      expect(e.code).toBe('CORRUPT');
      expect(e.message).toMatch(message);
    }
  });

  it('reports a payload that is not deflate or not JSON as CORRUPT', async () => {
    // Re-packed by hand: a valid header around a payload that does not inflate.
    const e = await errorOf(linkAround('bm90IGRlZmxhdGU'));
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(/cannot be unpacked/);
  });
});

describe('the header, field by field, and the exact messages', () => {
  const good = packFragment({ any: 'value' })!;
  const [, len, crc, payload] = good.slice('#run='.length).split('.');

  it('says in plain words what is wrong', async () => {
    const none = await errorOf('#nothing here');
    expect(none.name).toBe('PermalinkError');
    expect(none.message).toBe('This link does not contain a shared run.');
    expect((await errorOf('#run=1.12')).message).toBe(
      'This link is incomplete: it ends within its first few characters, before the shared run begins. It was probably cut off when it was copied; ask for the whole link.',
    );
    expect((await errorOf(`#run=2.${len}.${crc}.${payload}`)).message).toBe(
      'This link was made by a different version of the app (format 2; this one reads format 1). Open it with the version that made it, or ask for a new link.',
    );
    expect((await errorOf(`#run=1.x${len}.${crc}.${payload}`)).message).toBe('This link is damaged: its first characters (the header) are damaged. Ask for the link again.');
    expect((await errorOf(`#run=1.${len}.${crc}.${payload.slice(0, 5)}`)).message).toBe(
      `This link is incomplete: it carries 5 of ${Number(len).toLocaleString('en-US')} characters. It was probably cut off when it was copied; ask for the whole link.`,
    );
  });

  it('the version is whole digits; the length whole digits; the checksum exactly eight hex digits', async () => {
    expect(await codeOf(`#run=11.${len}.${crc}.${payload}`)).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(`#run=x1.${len}.${crc}.${payload}`)).toBe('NOT_A_PERMALINK');
    expect(await codeOf(`#run=1x.${len}.${crc}.${payload}`)).toBe('NOT_A_PERMALINK');
    expect(await codeOf(`#run=1x.12`)).toBe('NOT_A_PERMALINK');
    const headerDamaged = 'This link is damaged: its first characters (the header) are damaged. Ask for the link again.';
    for (const bad of [`${len}x`, `x${len}`, '']) expect((await errorOf(`#run=1.${bad}.${crc}.${payload}`)).message, bad).toBe(headerDamaged);
    for (const bad of [`${crc}0`, `0${crc}`, `g${crc}`, `${crc}g`, `g${crc.slice(1)}`, crc.slice(1)]) expect((await errorOf(`#run=1.${len}.${bad}.${payload}`)).message, bad).toBe(headerDamaged);
    expect((await errorOf(`#run=x1.${len}.${crc}.${payload}`)).message).toBe('This link does not contain a shared run.');
    // One field only: a version alone is a cut-off link, whatever the version.
    expect(await codeOf('#run=2')).toBe('TRUNCATED');
    for (const bad of ['#run=1.x1', '#run=1.1x']) expect((await errorOf(bad)).message, bad).toBe(headerDamaged);
    // A header cut within the checksum is a cut-off link; one with a non-hex checksum is damaged.
    expect(await codeOf(`#run=1.${len}.${crc.slice(0, 3)}`)).toBe('TRUNCATED');
    expect(await codeOf(`#run=1.${len}.xyz`)).toBe('CORRUPT');
    expect(await codeOf('#run=1')).toBe('TRUNCATED');
    expect(await codeOf('#run=')).toBe('TRUNCATED');
    // The whole link, or the fragment without '#', read the same.
    expect(await decodePermalink(`https://example.org/app/${packFragment(realisticRun())}`)).toEqual(realisticRun());
  });
});

describe('payloads that pass the checksum but are not a run', () => {
  it('names characters a link never has, an empty payload, and bytes that are not UTF-8', async () => {
    expect((await errorOf(linkAround('ab!cd'))).message).toBe('This link is damaged: it contains characters that a shared run never has. Ask for the link again.');
    expect((await errorOf(linkAround(''))).message).toBe('This link is damaged: its contents cannot be unpacked (nothing to unpack). Ask for the link again.');
    const notUtf8 = Buffer.from(deflateSync(Uint8Array.of(0x22, 0xff, 0xfe, 0x22))).toString('base64url');
    expect((await errorOf(linkAround(notUtf8))).message).toMatch(/^This link is damaged: its contents cannot be unpacked \(/);
  });

  it('unpacks exactly 4 MiB, and refuses one byte more', async () => {
    const exactly = (n: number) => Buffer.from(deflateSync(new TextEncoder().encode(`"${'x'.repeat(n - 2)}"`))).toString('base64url');
    // A JSON string of exactly the cap unpacks (and is then no run); one byte more does not unpack.
    expect((await errorOf(linkAround(exactly(4 * 1024 * 1024)))).message).toBe('This link is damaged: the shared run should be an object. Ask for the link again.');
    const over = await errorOf(linkAround(exactly(4 * 1024 * 1024 + 1)));
    expect(over.code).toBe('TOO_LARGE');
    expect(over.message).toBe('This link unpacks to more than 4,194,304 bytes, more than any run this app makes, so it was not opened. Ask for a new link, or share the exported JSON instead.');
  });
});

describe('every field of a shared run is checked, with a message naming it', () => {
  const run = realisticRun() as unknown as Record<string, unknown>;
  const result = run.result as Record<string, unknown>;
  const withData = (data: unknown) => ({ ...run, data });
  const withResult = (changes: Record<string, unknown>) => ({ ...run, result: { ...result, ...changes } });
  const cases: [string, unknown, string][] = [
    ['sha256 not hex', withData({ sha256: 'g'.repeat(64), count: 1 }), 'data.sha256 should be 64 hexadecimal digits'],
    ['sha256 too short', withData({ sha256: 'a'.repeat(63), count: 1 }), 'data.sha256 should be 64 hexadecimal digits'],
    ['sha256 not text', withData({ sha256: 5, count: 1 }), 'data.sha256 should be 64 hexadecimal digits'],
    ['count negative', withData({ sha256: 'a'.repeat(64), count: -1 }), 'data.count should be a whole number of examples'],
    ['count fractional', withData({ sha256: 'a'.repeat(64), count: 1.5 }), 'data.count should be a whole number of examples'],
    ['inputs not a list', withData({ inputs: 'a', outputs: [] }), 'data.inputs should be a list'],
    ['data name not text', withData({ inputs: [], outputs: [], name: 3 }), 'data.name should be text'],
    ['data not an object', withData(null), 'data should be an object'],
    ['data a list', withData([]), 'data should be an object'],
    ['hub model without id', { ...run, model: { kind: 'hub', name: 'x' } }, 'model.id is missing'],
    ['files model', { ...run, model: { kind: 'files', name: 7 } }, 'model.name should be text'],
    ['server model without its name', { ...run, model: { kind: 'server', url: 'http://x:8000' } }, 'model.name is missing'],
    ['kind toString', { ...run, model: { kind: 'toString', name: 'x' } }, "model.kind should be 'shipped', 'hub', 'files' or 'server'"],
    ['dtype not text', { ...run, dtype: 4 }, 'dtype should be text'],
    ['backend not text', { ...run, backend: false }, 'backend should be text'],
    ['option infinite', { ...run, options: { seed: Infinity } }, 'options.seed should be a finite number'],
    ['option object', { ...run, options: { x: {} } }, 'options.x should be a finite number'],
    ['prompt text', withResult({ prompts: [{ text: 1, loss: 1, accuracy: 1, timesScored: 1 }] }), 'result.prompts[0].text should be text'],
    ['prompt accuracy', withResult({ prompts: [{ text: 'p', loss: 1, accuracy: '1', timesScored: 1 }] }), 'result.prompts[0].accuracy should be a finite number'],
    ['baseline examples', withResult({ baseline: { loss: 1, accuracy: 1 } }), 'result.baseline.examples is missing'],
    ['series point', withResult({ series: [{ step: 0, bestLoss: 1, meanLoss: 1, bestAccuracy: null }] }), 'result.series[0].bestAccuracy should be a finite number'],
    ['series not a list', withResult({ series: {} }), 'result.series should be a list'],
    ['steps', withResult({ steps: '3' }), 'result.steps should be a finite number'],
    ['stoppedBy', withResult({ stoppedBy: 1 }), 'result.stoppedBy should be text'],
    ['finishedAt', withResult({ finishedAt: undefined }), 'result.finishedAt is missing'],
    ['seconds', withResult({ seconds: NaN }), 'result.seconds should be a finite number'],
    ['result a list', { ...run, result: [] }, 'result should be an object'],
    ['sha256 with a tail', withData({ sha256: `${'a'.repeat(64)}g`, count: 1 }), 'data.sha256 should be 64 hexadecimal digits'],
    ['sha256 with a head', withData({ sha256: `g${'a'.repeat(64)}`, count: 1 }), 'data.sha256 should be 64 hexadecimal digits'],
    ['sha256 in a list', withData({ sha256: ['a'.repeat(64)], count: 1 }), 'data.sha256 should be 64 hexadecimal digits'],
    ['outputs not a list', withData({ inputs: [], outputs: 'b' }), 'data.outputs should be a list'],
    ['data text', withData('abc'), 'data should be an object'],
    ['kind in a list', { ...run, model: { kind: ['hub'], id: 'o/n' } }, "model.kind should be 'shipped', 'hub', 'files' or 'server'"],
    ['options a list', { ...run, options: [] }, 'options should be an object'],
    ['prompts not a list', withResult({ prompts: {} }), 'result.prompts should be a list'],
    ['a prompt not an object', withResult({ prompts: [3] }), 'result.prompts[0] should be an object'],
    ['baseline not an object', withResult({ baseline: 3 }), 'result.baseline should be an object'],
    ['a point not an object', withResult({ series: ['p'] }), 'result.series[0] should be an object'],
  ];
  it.each(cases)('%s', async (_name, value, message) => {
    const e = await errorOf(packFragment(value)!);
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toBe(`This link is damaged: ${message}. Ask for the link again.`);
  });

  it('accepts a run without a result or a baseline, and every model kind', async () => {
    for (const value of [
      { ...run, result: null },
      withResult({ baseline: null }),
      { ...run, model: { kind: 'hub', id: 'o/n' }, dtype: undefined, backend: undefined },
      { ...run, model: { kind: 'files', name: 'local' }, data: { sha256: 'a'.repeat(64), count: 0 } },
    ]) {
      expect(await decodePermalink(packFragment(value)!)).toEqual(JSON.parse(JSON.stringify(value)));
    }
  });
});

describe('explanations in a link', () => {
  it('a run with explanations, a description, evidence and a verdict comes back exactly', async () => {
    const run = withExplanations(realisticRun());
    const { fragment, note } = await encodePermalink(run);
    expect(note).toBeNull();
    expect(await decodePermalink(fragment)).toEqual(run);
  });

  it('leaves out the per-example evidence first when the link would be too long, keeping every figure and interval', async () => {
    const run = withExplanations(realisticRun(), 256, 40);
    const whole = packFragment(run)!;
    const { fragment, note } = await encodePermalink(run, { maxLength: Math.floor(whole.length * 0.6) });
    const back = await decodePermalink(fragment);
    expect(note).toContain('leaves out the per-example evidence');
    expect(back.result!.evidence).toBeUndefined();
    for (const [i, e] of back.result!.explanations!.entries()) {
      const { perExample: _p, ...figures } = run.result!.explanations![i];
      expect(e).toEqual(figures);
    }
    expect(back.result!.descriptions![0].perExample).toBeUndefined();
    expect(back.result!.verdict).toEqual(run.result!.verdict);
    expect(back.result!.prompts).toEqual(run.result!.prompts);
  });

  const run = withExplanations(realisticRun(), 4) as unknown as { result: Record<string, unknown> };
  const result = run.result;
  const ex0 = (result.explanations as Record<string, unknown>[])[0];
  const withFirst = (changes: Record<string, unknown>) => ({ ...run, result: { ...result, explanations: [{ ...ex0, ...changes }] } });
  const ev = result.evidence as Record<string, unknown>;
  const cases: [string, unknown, string][] = [
    ['per-example results of another length', withFirst({ perExample: { nll: [1, 2, 3], correct: [true, true, true, true] } }), 'result.explanations[0].perExample should have one result per example (4)'],
    ['greedy answers of another length', withFirst({ perExample: { nll: [1, 2, 3, 4], correct: [true, true, true, true], greedy: ['a'] } }), 'result.explanations[0].perExample.greedy should have one answer per example (4)'],
    ['a mark that is not true or false', withFirst({ tiedWithBest: 'yes' }), 'result.explanations[0].tiedWithBest should be true or false'],
    ['an interval without its high end', withFirst({ lossInterval: { low: 1 } }), 'result.explanations[0].lossInterval.high is missing'],
    ['an unknown source', withFirst({ source: 'robot' }), "result.explanations[0].source should be 'search' or 'user'"],
    ['a variant without a rank', withFirst({ variants: [{ text: 'x', loss: 1, accuracy: 1 }] }), 'result.explanations[0].variants[0].rank is missing'],
    ['per-example results without evidence', { ...run, result: { ...result, evidence: undefined } }, 'result.explanations[0].perExample is there without result.evidence'],
    ['an example with fractional tokens', { ...run, result: { ...result, evidence: { ...ev, examples: [{ input: 'a', output: 'b', tokens: 1.5 }] } } }, 'result.evidence.examples[0].tokens should be a whole number of at least 0'],
    ['an unknown split', { ...run, result: { ...result, evidence: { ...ev, split: 'test' } } }, "result.evidence.split should be 'held_out' or 'training_rows'"],
    ['a baseline without per-example results', { ...run, result: { ...result, evidence: { ...ev, baseline: { ...(ev.baseline as object), perExample: undefined } } } }, 'result.evidence.baseline.perExample is missing'],
    ['a verdict without a message', { ...run, result: { ...result, verdict: { explained: true } } }, 'result.verdict.message is missing'],
    ['a baseline interval that is not an object', { ...run, result: { ...result, baseline: { loss: 1, accuracy: 1, examples: 4, lossInterval: 3 } } }, 'result.baseline.lossInterval should be an object'],
  ];
  it.each(cases)('a damaged field is named: %s', async (_name, value, message) => {
    const e = await errorOf(packFragment(value)!);
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toBe(`This link is damaged: ${message}. Ask for the link again.`);
  });
});

describe('a crafted link that unpacks to more than 4 MB', () => {
  it('is refused while unpacking, before the text is built or parsed', async () => {
    // 70 MB of one character deflates to about 70 KB, which is base64 of 93,000 characters: too long
    // for any link the app makes; under the length cap, 5 MB of it still cannot unpack.
    const bomb = packFragment({ padding: 'x'.repeat(70 * 1024 * 1024) })!;
    expect((await errorOf(bomb)).code).toBe('TOO_LARGE');
    const small = packFragment({ padding: 'x'.repeat(5 * 1024 * 1024) })!;
    expect(small.length).toBeLessThan(LINK_LIMITS.characters);
    const e = await errorOf(small);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toContain('unpacks to more than 4,194,304 bytes');
  });
});

describe('links that hold more than the app makes', () => {
  it('a link longer than twice the longest the app makes is refused before anything is unpacked, naming its length', async () => {
    const e = await errorOf(`#run=1.99999.00000000.${'A'.repeat(64_001 - 21)}`);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe('This link is 64,001 characters long, more than any this app makes (at most 32,000), so it was not opened. Ask for a new link, or share the exported JSON instead.');
    // At the cap itself, the usual checks run (here: the declared length).
    expect((await errorOf(`#run=1.99999.00000000.${'A'.repeat(64_000 - 21)}`)).code).toBe('TRUNCATED');
  });

  it('a valid run with 40,000 progress points and 10,000 prompts in a short link: the points are thinned and the prompts cut to the caps, with a note', async () => {
    const base = realisticRun();
    // Identical points and prompts deflate to almost nothing, so the link stays short; the last point's step is 2, the others 1.
    const link = packFragment(oversizedRun(40_000, 10_000))!;
    expect(link.length).toBeLessThan(LINK_LIMITS.characters);
    const { run: opened, note } = await openPermalink(link);
    // k = ceil(40,000 / 2,000) = 20: every 20th point and the last, 2,001 in all.
    expect(opened.result!.series).toHaveLength(2_001);
    expect(opened.result!.series.at(-1)!.step).toBe(2);
    expect(opened.result!.prompts).toHaveLength(500);
    expect(note).toBe('This link holds more than this app makes; it shows the first 500 of its 10,000 prompts and 2,001 of its 40,000 progress points.');
    // A link within the caps opens unchanged, with no note.
    expect(await openPermalink(packFragment(base)!)).toEqual({ run: base, note: null });
  });

  it('too many data rows or evaluation examples is refused: cutting them would change the run', async () => {
    const base = realisticRun();
    const rows = Array.from({ length: 200_001 }, () => 'a');
    const e = await errorOf(packFragment({ ...base, data: { inputs: rows, outputs: rows } })!);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe('This link holds 200,001 data rows, more than this app shares (200,000), so it was not opened.');
    const n = 10_001;
    const interval = { low: 0, high: 0 };
    const evidence = {
      examples: Array.from({ length: n }, () => ({ input: 'a', output: 'b', tokens: 1 })),
      split: 'held_out' as const,
      baseline: { loss: 0, accuracy: 0, lossInterval: interval, accuracyInterval: interval, perExample: { nll: new Array(n).fill(0), correct: new Array(n).fill(false) } },
      firstTokenChoices: null,
      bootstrapSeed: 1,
    };
    const many = await errorOf(packFragment({ ...base, result: { ...base.result!, evidence } })!);
    expect(many.code).toBe('TOO_LARGE');
    expect(many.message).toBe('This link holds 10,001 evaluation examples, more than this app makes (10,000), so it was not opened.');
  });
});

describe('hashes', () => {
  it('hashes text and datasets with SHA-256', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await hashDataset(['a'], ['b'])).toBe(await sha256Hex('[["a"],["b"]]'));
    expect(await hashDataset(['a', 'b'], [])).not.toBe(await hashDataset(['a'], ['b']));
  });
});

describe('the page sets aside a fragment too long to open', () => {
  it('index.html uses the same limit as decoding (a fragment is "#run=" plus the body openPermalink measures)', async () => {
    const { readFile } = await import('node:fs/promises');
    const html = await readFile(new URL('../../index.html', import.meta.url), 'utf8');
    const limit = Number(/location\.hash\.length > (\d+)/.exec(html)?.[1]);
    // The body openPermalink measures includes 'run=': the hash is that plus '#'.
    expect(limit).toBe(LINK_LIMITS.characters + 1);
  });
});
