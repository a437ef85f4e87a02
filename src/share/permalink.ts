/**
 * Permalinks: a finished iPrompt run packed into a URL fragment and unpacked again.
 *
 * The fragment is `#run=1.<payloadLength>.<crc32>.<payload>`, where payload is
 * base64url(deflate(utf8(JSON))). Browsers never send the fragment to a server, so the data stays
 * with the people who share the link. The declared length tells a link that was cut off (the usual
 * accident) from a damaged one, the CRC catches damage before anything is unpacked, and a
 * field-by-field check catches the rest. Every failure is a PermalinkError whose message says what
 * to do.
 */
import { Deflate, Inflate, deflateSync } from 'fflate';
import type { Evidence, Explanation, ExplanationVariant, Verdict } from '../iprompt/explanations.ts';
import type { IPromptOptions } from '../iprompt/options.ts';
import type { Baseline } from '../iprompt/types.ts';

export interface SharedPrompt { text: string; loss: number; accuracy: number; timesScored: number }
/** An explanation without its token ids (they belong to one tokenizer); perExample is dropped when a link must shrink. */
export type SharedExplanation = Omit<Explanation, 'ids' | 'variants' | 'perExample'> & { variants: Omit<ExplanationVariant, 'ids'>[]; perExample?: Explanation['perExample'] };
export interface StepPoint { step: number; bestLoss: number; meanLoss: number; bestAccuracy: number }
export interface SharedRun {
  /** The data itself, or (when it would make the link too long) only its hash and size. */
  data: { inputs: string[]; outputs: string[]; name?: string } | { sha256: string; count: number; name?: string };
  /** 'server': a model on a vLLM server, by the name it is served under; the server's address and key are never recorded. */
  model: { kind: 'shipped'; name: string } | { kind: 'hub'; id: string } | { kind: 'files'; name: string } | { kind: 'server'; name: string };
  dtype?: string;
  backend?: string;
  /** Includes the seed. */
  options: Partial<IPromptOptions>;
  result: null | {
    /** The ranked prompts as found. */
    prompts: SharedPrompt[];
    baseline: Baseline | null;
    /** The explanations (cleaned, merged, with intervals), a person's own descriptions, the evaluation examples and the verdict; absent in runs saved before they existed. */
    explanations?: SharedExplanation[];
    descriptions?: SharedExplanation[];
    evidence?: Evidence;
    verdict?: Verdict;
    series: StepPoint[];
    steps: number;
    stoppedBy: string;
    finishedAt: string;
    seconds: number;
  };
}

/**
 * Most characters in a whole fragment (with its '#'). Chromium accepts URLs up to 2 MB, but people
 * paste links into chat and mail, and messaging apps, mail clients and some servers cut or refuse
 * URLs far shorter than that; 32,000 characters still carries a realistic run with its data.
 */
export const PERMALINK_MAX_LENGTH = 32_000;
/** Prompts kept when a run is trimmed to fit. */
const DEFAULT_MAX_PROMPTS = 20;
const VERSION = '1';
/** Above this many JSON bytes, a streaming pass first checks (and gives up early) whether the data can fit at all. */
const PROBE_ABOVE = 1 << 20;
/**
 * Bounds on what a link may hold when it is opened, so that a crafted one cannot stall the page.
 * Every link this app makes is at most PERMALINK_MAX_LENGTH characters, and such a link unpacks
 * to well under a megabyte; the caps leave room above what the app itself produces.
 */
export const LINK_LIMITS = Object.freeze({
  /** Characters of a whole fragment: twice what the app makes. */
  characters: 2 * PERMALINK_MAX_LENGTH,
  /** Bytes a link may unpack to (JSON text). */
  unpacked: 4 << 20,
  /** Ranked prompts, and explanations, kept; more are cut (the app shows 15 and shares 20). */
  prompts: 500,
  /** Progress points kept; more are thinned to every k-th (and the last), as encoding does. */
  series: 2_000,
  /** Data rows: more is refused, since cutting would change the data. */
  rows: 200_000,
  /** Evaluation examples of the evidence: more is refused (the app holds out at most n_eval). */
  examples: 10_000,
});

export type PermalinkErrorCode = 'NOT_A_PERMALINK' | 'TRUNCATED' | 'CORRUPT' | 'UNSUPPORTED_VERSION' | 'TOO_LARGE';

export class PermalinkError extends Error {
  readonly code: PermalinkErrorCode;
  constructor(code: PermalinkErrorCode, message: string) {
    super(message);
    this.name = 'PermalinkError';
    this.code = code;
  }
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of `JSON.stringify([inputs, outputs])` (arrays of strings have one JSON form). */
export function hashDataset(inputs: string[], outputs: string[]): Promise<string> {
  return sha256Hex(JSON.stringify([inputs, outputs]));
}

// ---------------------------------------------------------------------------------------------
// Encoding

export async function encodePermalink(
  run: SharedRun,
  opts: { maxLength?: number; maxPrompts?: number } = {},
): Promise<{ fragment: string; dataIncluded: boolean; length: number; note: string | null }> {
  const maxLength = opts.maxLength ?? PERMALINK_MAX_LENGTH;
  const maxPrompts = opts.maxPrompts ?? DEFAULT_MAX_PROMPTS;
  // A run that would not decode (NaN losses, unequal columns) is a bug of the caller's: say so now.
  try {
    validateRun(run);
  } catch (e) {
    if (e instanceof ShapeError) throw new TypeError(`encodePermalink: this run cannot be shared: ${e.message}.`);
    throw e;
  }
  const done = (fragment: string, sent: SharedRun, note: string | null) =>
    ({ fragment, dataIncluded: 'inputs' in sent.data, length: fragment.length, note });
  const limit = `${fmt(maxLength)}-character limit`;

  // 1. Everything, data included.
  const whole = packFragment(run, maxLength);
  if (whole) return done(whole, run, null);

  // 2. The data replaced by its fingerprint.
  let slim = run;
  let note = '';
  if ('inputs' in run.data) {
    const { inputs, outputs, name } = run.data;
    slim = { ...run, data: { sha256: await hashDataset(inputs, outputs), count: inputs.length, ...(name !== undefined && { name }) } };
    note =
      `The data made the link longer than the ${limit}, so the link carries the results and a fingerprint ` +
      `(SHA-256) of the data; whoever opens it needs the same data to run the search again.`;
    const fragment = packFragment(slim, maxLength);
    if (fragment) return done(fragment, slim, note);
  }

  // 3. Without the per-example evidence (the explanations keep their figures and intervals).
  if (slim.result?.evidence) {
    const { evidence: _e, ...rest } = slim.result;
    const strip = (list: SharedExplanation[] | undefined) => list?.map(({ perExample: _p, ...x }) => x);
    slim = { ...slim, result: { ...rest, explanations: strip(rest.explanations), descriptions: strip(rest.descriptions) } };
    const cut = `${note ? 'It also leaves out' : `To fit within the ${limit}, it leaves out`} the per-example evidence (each example with the answers with and without the explanation).`;
    note = note ? `${note} ${cut}` : cut;
    const fragment = packFragment(slim, maxLength);
    if (fragment) return done(fragment, slim, note);
  }

  // 4. The first maxPrompts prompts, then every k-th step point (and the last) for k = 1, 2, 4, ...
  const result = slim.result;
  if (result) {
    const prompts = result.prompts.slice(0, maxPrompts);
    const explanations = result.explanations?.slice(0, maxPrompts);
    for (let k = 1; ; k *= 2) {
      const series = result.series.filter((_, i, all) => i % k === 0 || i === all.length - 1);
      const trimmed = { ...slim, result: { ...result, prompts, series, ...(explanations && { explanations }) } };
      const fragment = packFragment(trimmed, maxLength);
      if (fragment) {
        const trim =
          `${note ? 'It also' : `To fit within the ${limit}, it`} keeps only the first ${fmt(prompts.length)} ` +
          `of ${fmt(result.prompts.length)} prompts and ${fmt(series.length)} of ${fmt(result.series.length)} progress points.`;
        return done(fragment, trimmed, note ? `${note} ${trim}` : trim);
      }
      if (k >= result.series.length - 1) break;
    }
  }
  throw new PermalinkError(
    'TOO_LARGE',
    `This run is too large to share as a link, even without its data and with only ${maxPrompts} prompts ` +
      `(the ${limit}).`,
  );
}

/**
 * The fragment for any JSON value, or null when it would be longer than maxLength. Exported for
 * tests, which need well-formed links around malformed runs.
 */
export function packFragment(value: unknown, maxLength = Infinity): string | null {
  const bytes = utf8(JSON.stringify(value));
  // n bytes become ceil(4n / 3) base64 characters, so more than 3/4 maxLength bytes cannot fit.
  const maxBytes = Math.floor((maxLength * 3) / 4);
  if (bytes.length > PROBE_ABOVE && !deflatesWithin(bytes, maxBytes)) return null;
  const payload = toBase64Url(deflateSync(bytes, { level: 9 }));
  const fragment = `#run=${VERSION}.${payload.length}.${crc32Hex(payload)}.${payload}`;
  return fragment.length <= maxLength ? fragment : null;
}

/** Streams bytes through deflate and stops as soon as the output passes maxBytes (20 MB: ~50 ms, not ~2 s). */
function deflatesWithin(bytes: Uint8Array, maxBytes: number): boolean {
  let size = 0;
  const probe = new Deflate({ level: 9 }, (chunk) => { size += chunk.length; });
  const step = 1 << 16;
  for (let i = 0; i < bytes.length; i += step) {
    probe.push(bytes.subarray(i, i + step), i + step >= bytes.length);
    if (size > maxBytes) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Accepts the fragment with or without its '#', or a whole URL. */
export async function decodePermalink(link: string): Promise<SharedRun> {
  return (await openPermalink(link)).run;
}

/** The refusal of a link whose fragment (after '#') is `length` characters, more than LINK_LIMITS.characters. */
export function tooLongLink(length: number): PermalinkError {
  return new PermalinkError(
    'TOO_LARGE',
    `This link is ${fmt(length)} characters long, more than any this app makes (at most ${fmt(PERMALINK_MAX_LENGTH)}), ` +
      'so it was not opened. Ask for a new link, or share the exported JSON instead.',
  );
}

/**
 * decodePermalink, and what opening had to cut to stay within LINK_LIMITS (prompts beyond the
 * cap, progress points thinned), as a sentence for the person, or null.
 */
export async function openPermalink(link: string): Promise<{ run: SharedRun; note: string | null }> {
  const hash = link.indexOf('#');
  // Mail clients wrap long links; base64url has no whitespace, so any is an artefact.
  const body = (hash >= 0 ? link.slice(hash + 1) : link).replace(/\s+/g, '');
  if (body.length > LINK_LIMITS.characters) throw tooLongLink(body.length);
  if (!body.startsWith('run=')) throw new PermalinkError('NOT_A_PERMALINK', 'This link does not contain a shared run.');
  const fields = body.slice('run='.length).split('.');
  const [version, declared, crc] = fields;
  if (fields.length > 1 && /^\d+$/.test(version) && version !== VERSION) {
    throw new PermalinkError(
      'UNSUPPORTED_VERSION',
      `This link was made by a different version of the app (format ${version}; this one reads format ${VERSION}). ` +
        'Open it with the version that made it, or ask for a new link.',
    );
  }
  if (fields.length < 4 && [/^\d*$/, /^\d*$/, /^[0-9a-f]{0,8}$/].every((re, i) => fields[i] === undefined || re.test(fields[i]))) {
    // The header so far looks right but stops before the payload: the link was cut short.
    throw new PermalinkError(
      'TRUNCATED',
      'This link is incomplete: it ends within its first few characters, before the shared run begins. ' +
        'It was probably cut off when it was copied; ask for the whole link.',
    );
  }
  if (version !== VERSION) throw new PermalinkError('NOT_A_PERMALINK', 'This link does not contain a shared run.');
  if (fields.length < 4 || !/^\d+$/.test(declared) || !/^[0-9a-f]{8}$/.test(crc)) {
    throw corrupt('its first characters (the header) are damaged');
  }
  // A '.' cannot occur in the payload; one there (a full stop after the link) counts as extra text.
  const carried = fields.slice(3).join('.');
  const want = Number(declared);
  if (carried.length < want) {
    throw new PermalinkError(
      'TRUNCATED',
      `This link is incomplete: it carries ${fmt(carried.length)} of ${fmt(want)} characters. ` +
        'It was probably cut off when it was copied; ask for the whole link.',
    );
  }
  // Characters after the payload (punctuation or a bracket picked up with the link) are ignored.
  const payload = carried.slice(0, want);
  if (!/^[A-Za-z0-9_-]*$/.test(payload)) throw corrupt('it contains characters that a shared run never has');
  if (crc32Hex(payload) !== crc) {
    throw corrupt('its contents do not match their checksum, so a character was probably changed when it was copied');
  }

  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflateCapped(fromBase64Url(payload)));
  } catch (e) {
    if (e instanceof UnpackLimit) {
      throw new PermalinkError(
        'TOO_LARGE',
        `This link unpacks to more than ${fmt(LINK_LIMITS.unpacked)} bytes, more than any run this app makes, so it was not opened. ` +
          'Ask for a new link, or share the exported JSON instead.',
      );
    }
    throw corrupt(`its contents cannot be unpacked (${e instanceof Error ? e.message : String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw corrupt('its contents are not valid JSON');
  }
  try {
    validateRun(value);
  } catch (e) {
    if (e instanceof ShapeError) throw corrupt(e.message);
    throw e;
  }
  return withinLimits(value);
}

/** Cuts what can be cut without changing the run's meaning (the tail of the ranking, progress points), refuses the rest. */
function withinLimits(run: SharedRun): { run: SharedRun; note: string | null } {
  if ('inputs' in run.data && run.data.inputs.length > LINK_LIMITS.rows) {
    throw new PermalinkError('TOO_LARGE', `This link holds ${fmt(run.data.inputs.length)} data rows, more than this app shares (${fmt(LINK_LIMITS.rows)}), so it was not opened.`);
  }
  const r = run.result;
  if (!r) return { run, note: null };
  if (r.evidence && r.evidence.examples.length > LINK_LIMITS.examples) {
    throw new PermalinkError('TOO_LARGE', `This link holds ${fmt(r.evidence.examples.length)} evaluation examples, more than this app makes (${fmt(LINK_LIMITS.examples)}), so it was not opened.`);
  }
  const cuts: string[] = [];
  let result = r;
  if (r.prompts.length > LINK_LIMITS.prompts) {
    result = { ...result, prompts: r.prompts.slice(0, LINK_LIMITS.prompts) };
    cuts.push(`the first ${fmt(LINK_LIMITS.prompts)} of its ${fmt(r.prompts.length)} prompts`);
  }
  for (const field of ['explanations', 'descriptions'] as const) {
    const list = r[field];
    if (list && list.length > LINK_LIMITS.prompts) {
      result = { ...result, [field]: list.slice(0, LINK_LIMITS.prompts) };
      cuts.push(`the first ${fmt(LINK_LIMITS.prompts)} of its ${fmt(list.length)} ${field}`);
    }
  }
  if (r.series.length > LINK_LIMITS.series) {
    const k = Math.ceil(r.series.length / LINK_LIMITS.series);
    const series = r.series.filter((_, i, all) => i % k === 0 || i === all.length - 1);
    result = { ...result, series };
    cuts.push(`${fmt(series.length)} of its ${fmt(r.series.length)} progress points`);
  }
  if (cuts.length === 0) return { run, note: null };
  return { run: { ...run, result }, note: `This link holds more than this app makes; it shows ${cuts.join(' and ')}.` };
}

function corrupt(what: string): PermalinkError {
  return new PermalinkError('CORRUPT', `This link is damaged: ${what}. Ask for the link again.`);
}

/** Unpacking stopped at LINK_LIMITS.unpacked: the link is too large, not damaged. */
class UnpackLimit extends Error {}

/** Inflates in small steps so that a crafted link cannot unpack to gigabytes. */
function inflateCapped(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) throw new Error('nothing to unpack');
  const chunks: Uint8Array[] = [];
  let size = 0;
  const inflater = new Inflate((chunk) => {
    size += chunk.length;
    if (size > LINK_LIMITS.unpacked) throw new UnpackLimit();
    chunks.push(chunk);
  });
  const step = 1024;
  for (let i = 0; i < bytes.length; i += step) inflater.push(bytes.subarray(i, i + step), i + step >= bytes.length);
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking a run field by field

/** A field of the run that is missing or of the wrong kind; the message names it. */
class ShapeError extends Error {}

function validateRun(v: unknown): asserts v is SharedRun {
  const run = object(v, 'the shared run');
  const data = object(run.data, 'data');
  if ('sha256' in data) {
    if (typeof data.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(data.sha256)) bad('data.sha256', 'should be 64 hexadecimal digits');
    if (!Number.isSafeInteger(data.count) || (data.count as number) < 0) bad('data.count', 'should be a whole number of examples');
  } else {
    const inputs = strings(data.inputs, 'data.inputs');
    const outputs = strings(data.outputs, 'data.outputs');
    if (inputs.length !== outputs.length) bad('data', `has ${inputs.length} inputs but ${outputs.length} outputs`);
  }
  optionalText(data.name, 'data.name');

  const model = object(run.model, 'model');
  const kinds: Record<string, string> = { shipped: 'name', hub: 'id', files: 'name', server: 'name' };
  const key = typeof model.kind === 'string' && Object.hasOwn(kinds, model.kind) ? kinds[model.kind] : undefined;
  if (key === undefined) bad('model.kind', "should be 'shipped', 'hub', 'files' or 'server'");
  text(model[key], `model.${key}`);
  optionalText(run.dtype, 'dtype');
  optionalText(run.backend, 'backend');

  const options = object(run.options, 'options');
  for (const [name, value] of Object.entries(options)) {
    if (!['string', 'boolean'].includes(typeof value)) num(value, `options.${name}`);
  }

  if (run.result === null) return;
  const result = object(run.result, 'result');
  list(result.prompts, 'result.prompts').forEach((p, i) => {
    const prompt = object(p, `result.prompts[${i}]`);
    text(prompt.text, `result.prompts[${i}].text`);
    for (const f of ['loss', 'accuracy', 'timesScored']) num(prompt[f], `result.prompts[${i}].${f}`);
  });
  if (result.baseline !== null) {
    const baseline = object(result.baseline, 'result.baseline');
    for (const f of ['loss', 'accuracy', 'examples']) num(baseline[f], `result.baseline.${f}`);
  }
  if (result.baseline !== null) {
    const baseline = result.baseline as Record<string, unknown>;
    optionalInterval(baseline.lossInterval, 'result.baseline.lossInterval');
    optionalInterval(baseline.accuracyInterval, 'result.baseline.accuracyInterval');
  }
  let examples: number | undefined;
  if (result.evidence !== undefined) {
    const ev = object(result.evidence, 'result.evidence');
    const items = list(ev.examples, 'result.evidence.examples');
    items.forEach((x, i) => {
      const e = object(x, `result.evidence.examples[${i}]`);
      text(e.input, `result.evidence.examples[${i}].input`);
      text(e.output, `result.evidence.examples[${i}].output`);
      count(e.tokens, `result.evidence.examples[${i}].tokens`);
    });
    examples = items.length;
    if (ev.split !== 'held_out' && ev.split !== 'training_rows') bad('result.evidence.split', "should be 'held_out' or 'training_rows'");
    measured(ev.baseline, 'result.evidence.baseline', examples, true);
    if (ev.firstTokenChoices !== null) list(ev.firstTokenChoices, 'result.evidence.firstTokenChoices').forEach((t, i) => count(t, `result.evidence.firstTokenChoices[${i}]`));
    count(ev.bootstrapSeed, 'result.evidence.bootstrapSeed');
  }
  for (const field of ['explanations', 'descriptions'] as const) {
    if (result[field] === undefined) continue;
    list(result[field], `result.${field}`).forEach((x, i) => {
      const path = `result.${field}[${i}]`;
      const e = measured(x, path, examples, false);
      text(e.text, `${path}.text`);
      if (e.source !== 'search' && e.source !== 'user') bad(`${path}.source`, "should be 'search' or 'user'");
      for (const f of ['cleaned', 'tiedWithBest', 'beatsBaseline']) flag(e[f], `${path}.${f}`);
      list(e.variants, `${path}.variants`).forEach((v, j) => {
        const variant = object(v, `${path}.variants[${j}]`);
        text(variant.text, `${path}.variants[${j}].text`);
        for (const f of ['loss', 'accuracy', 'rank']) num(variant[f], `${path}.variants[${j}].${f}`);
      });
    });
  }
  if (result.verdict !== undefined) {
    const verdict = object(result.verdict, 'result.verdict');
    flag(verdict.explained, 'result.verdict.explained');
    text(verdict.message, 'result.verdict.message');
  }
  list(result.series, 'result.series').forEach((p, i) => {
    const point = object(p, `result.series[${i}]`);
    for (const f of ['step', 'bestLoss', 'meanLoss', 'bestAccuracy']) num(point[f], `result.series[${i}].${f}`);
  });
  num(result.steps, 'result.steps');
  text(result.stoppedBy, 'result.stoppedBy');
  text(result.finishedAt, 'result.finishedAt');
  num(result.seconds, 'result.seconds');
}

/** Loss and accuracy with their intervals, and (required when `needPerExample`) one result per evaluation example. */
function measured(v: unknown, path: string, examples: number | undefined, needPerExample: boolean): Record<string, unknown> {
  const m = object(v, path);
  for (const f of ['loss', 'accuracy']) num(m[f], `${path}.${f}`);
  interval(m.lossInterval, `${path}.lossInterval`);
  interval(m.accuracyInterval, `${path}.accuracyInterval`);
  if (m.perExample === undefined && !needPerExample) return m;
  if (examples === undefined) bad(`${path}.perExample`, 'is there without result.evidence');
  const per = object(m.perExample, `${path}.perExample`);
  const nll = list(per.nll, `${path}.perExample.nll`);
  nll.forEach((x, i) => num(x, `${path}.perExample.nll[${i}]`));
  const correct = list(per.correct, `${path}.perExample.correct`);
  correct.forEach((x, i) => flag(x, `${path}.perExample.correct[${i}]`));
  if (per.greedy !== undefined) {
    strings(per.greedy, `${path}.perExample.greedy`);
    if ((per.greedy as unknown[]).length !== examples) bad(`${path}.perExample.greedy`, `should have one answer per example (${examples})`);
  }
  if (nll.length !== examples || correct.length !== examples) bad(`${path}.perExample`, `should have one result per example (${examples})`);
  return m;
}
function interval(v: unknown, path: string): void {
  const i = object(v, path);
  num(i.low, `${path}.low`);
  num(i.high, `${path}.high`);
}
function optionalInterval(v: unknown, path: string): void {
  if (v !== undefined) interval(v, path);
}
function count(v: unknown, path: string): void {
  if (!Number.isSafeInteger(v) || (v as number) < 0) bad(path, 'should be a whole number of at least 0');
}
function flag(v: unknown, path: string): void {
  missing(v, path);
  if (typeof v !== 'boolean') bad(path, 'should be true or false');
}
function bad(path: string, what: string): never {
  throw new ShapeError(`${path} ${what}`);
}
function missing(v: unknown, path: string): void {
  if (v === undefined) bad(path, 'is missing');
}
function object(v: unknown, path: string): Record<string, unknown> {
  missing(v, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, 'should be an object');
  return v as Record<string, unknown>;
}
function list(v: unknown, path: string): unknown[] {
  missing(v, path);
  if (!Array.isArray(v)) bad(path, 'should be a list');
  return v;
}
function strings(v: unknown, path: string): string[] {
  list(v, path).forEach((s, i) => text(s, `${path}[${i}]`));
  return v as string[];
}
function text(v: unknown, path: string): void {
  missing(v, path);
  if (typeof v !== 'string') bad(path, 'should be text');
}
function optionalText(v: unknown, path: string): void {
  if (v !== undefined) text(v, path);
}
function num(v: unknown, path: string): void {
  missing(v, path);
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(path, 'should be a finite number');
}

// ---------------------------------------------------------------------------------------------
// base64url and CRC-32

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/')); // atob accepts a missing '=' padding
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n >>> 0;
});

/** CRC-32 (the zip/PNG one) of an ASCII string, as 8 lowercase hex digits. */
function crc32Hex(ascii: string): string {
  let c = ~0;
  for (let i = 0; i < ascii.length; i++) c = CRC_TABLE[(c ^ ascii.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (~c >>> 0).toString(16).padStart(8, '0');
}
