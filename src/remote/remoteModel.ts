/**
 * The search's language model on a vLLM server: `score` and `generate` over /v1/completions
 * with token-id prompts, so the server sees exactly the tokens the local engine would run (the
 * tokenizer's BOS in front where it adds one, then the search's ids). Requests go out in
 * parallel, at most `maxInFlight` at once; the server batches them (continuous batching).
 *
 * Scoring reads each prompt token's log-probability and rank (vLLM's prompt_logprobs). A
 * first-token restriction (mask_possible_answers) needs every choice's log-probability at that
 * position: each choice is scored as one more one-token row on the same context, and the
 * restricted softmax is taken here. Generation sends one request per row, seeded with that row's
 * own stream seed (SeededRandom.rowSeed), as the local engine seeds its rows.
 */
import type { ProposalOptions, ScoreOptions, ScoreRequest, ScoreResult, SearchLanguageModel } from '../iprompt/languageModel.ts';
import type { TextTokenizer } from '../engine/tokenizer.ts';
import { SeededRandom } from '../util/random.ts';
import { tokenizerSide } from '../bridge/searchModel.ts';
import { withContextPrefix } from '../engine/contextPrefix.ts';
import { RemoteError, ServerClient, type ClientOptions } from './serverClient.ts';
import { choicesInOrder, generatedIds, generationRequest, ProtocolError, promptScores, scoringRequest, type CompletionChoice } from './vllmProtocol.ts';

export interface RemoteModelOptions extends ClientOptions {
  /** The served model's name, as /v1/models lists it (vLLM: --served-model-name, else the model id). */
  model: string;
  /** The served model's tokenizer, loaded here (a local folder or a cached hub model). */
  tokenizer: TextTokenizer;
  /** Where the tokenizer came from, for messages. */
  tokenizerSource?: string;
  /** Most prompts in one scoring request (default 16). */
  rowsPerRequest?: number;
  /** Most tokens in one scoring request (default 4,096). */
  tokensPerRequest?: number;
}

export interface ServerInfo {
  url: string;
  model: string;
  /** The server's context length, where it says (vLLM's /v1/models: max_model_len). */
  maxModelLen: number | null;
  /** How the tokenizers were compared at connect. */
  tokenizerCheck: 'tokenize endpoint' | 'decoded tokens' | 'not possible';
  /** Token ids put before every context (the tokenizer's BOS, where it adds one). */
  contextPrefix: number[];
}

/** What the app shows and records of a connected server (plain data: it crosses postMessage). */
export interface ServerModelInfo {
  kind: 'server';
  /** The served model's name (what a run records; never the address or the key). */
  name: string;
  server: ServerInfo & { tokenizerSource: string };
  /** No speed is measured at connect (a server's speed depends on its load). */
  throughput: null;
  loadMs: number;
}

export interface RemoteModel extends SearchLanguageModel {
  readonly info: ServerInfo;
  readonly client: ServerClient;
}

/** A text whose ids show a tokenizer's pieces: spaces, digits, punctuation, accents, a newline. */
export const TOKENIZER_PROBE = 'Given the input numbers 12 and 345, the answer is: déjà vu!\nOutput: 357';

const protocolFailure = (err: unknown, url: string): never => {
  if (err instanceof ProtocolError && err.missing === 'prompt_logprobs') {
    throw new RemoteError(
      'NO_PROMPT_LOGPROBS',
      `${url} did not return prompt log-probabilities (${err.message}). iPrompt scores a prompt by the log-probability of every output token, which needs vLLM's "prompt_logprobs" on /v1/completions, with token ranks.`,
      'Use a vLLM server (0.4 or later) with its OpenAI-compatible API; hosted APIs no longer return prompt log-probabilities.',
      { cause: err },
    );
  }
  if (err instanceof ProtocolError) throw new RemoteError('BAD_RESPONSE', `${url} answered in a shape this app does not read: ${err.message}.`, 'Use a vLLM server with its OpenAI-compatible API (python -m vllm.entrypoints.openai.api_server or vllm serve).', { cause: err });
  throw err;
};

/** Splits rows into requests of at most `rows` prompts and `tokens` tokens (a longer row goes alone). */
function chunks(lengths: readonly number[], rows: number, tokens: number): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let size = 0;
  lengths.forEach((len, i) => {
    if (cur.length && (cur.length >= rows || size + len > tokens)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(i);
    size += len;
  });
  if (cur.length) out.push(cur);
  return out;
}

const logSumExp = (xs: readonly number[]) => {
  const m = Math.max(...xs);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/** Connects (checks the model, the tokenizer and prompt log-probabilities) and returns the model. */
export async function connectRemoteModel(opts: RemoteModelOptions, signal?: AbortSignal): Promise<RemoteModel> {
  const client = new ServerClient(opts);
  const { tokenizer } = opts;
  const model = opts.model;
  const rowsPerRequest = opts.rowsPerRequest ?? 16;
  const tokensPerRequest = opts.tokensPerRequest ?? 4096;
  const contextPrefix = tokenizer.specialPrefix();
  const withPrefix = (c: readonly number[]) => [...withContextPrefix(contextPrefix, c)];
  const completions = (body: unknown, s?: AbortSignal) => client.json('/v1/completions', body, s);

  const maxModelLen = await checkModel(client, model, signal);

  /** Each row's prompt scores, requests in parallel. */
  async function scoreRows(rows: number[][], control: { signal?: AbortSignal; onTokens?: (n: number) => void }) {
    const out: ReturnType<typeof promptScores>[] = new Array(rows.length);
    await Promise.all(
      chunks(
        rows.map((r) => r.length),
        rowsPerRequest,
        tokensPerRequest,
      ).map(async (idx) => {
        const prompts = idx.map((i) => rows[i]);
        let choices: CompletionChoice[];
        try {
          choices = choicesInOrder(await completions(scoringRequest(model, prompts), control.signal), prompts.length);
          idx.forEach((i, k) => (out[i] = promptScores(choices[k], rows[i])));
        } catch (err) {
          protocolFailure(err, client.base);
        }
        control.onTokens?.(prompts.reduce((s, p) => s + p.length, 0));
      }),
    );
    return out;
  }

  async function score(requests: readonly ScoreRequest[], o: ScoreOptions = {}): Promise<ScoreResult[]> {
    const contexts = requests.map((r) => withPrefix(r.context));
    contexts.forEach((c, i) => {
      // The search always sends a context: an empty one is a caller's bug, not the server's.
      if (c.length === 0) throw new Error(`score: request ${i} has an empty context and the tokenizer adds no BOS, so its first token has no log-probability.`);
    });
    const rows = requests.map((r, i) => [...contexts[i], ...r.continuation]);
    // A first-token restriction: every other choice scored after its context, one row per distinct
    // context and choice (the request's own first token is in its row already); -1 marks that one.
    const choices = o.firstTokenChoices?.length ? [...new Set(o.firstTokenChoices)] : null;
    const choiceRows: number[][] = [];
    const rowOf = new Map<string, number>();
    const choiceRowsOf = choices
      ? requests.map((r, i) =>
          choices.map((id) => {
            if (id === r.continuation[0]) return -1;
            const key = `${contexts[i].join(',')}|${id}`;
            let row = rowOf.get(key);
            if (row === undefined) rowOf.set(key, (row = rows.length + choiceRows.push([...contexts[i], id]) - 1));
            return row;
          }),
        )
      : null;
    const scored = await scoreRows([...rows, ...choiceRows], o);
    return requests.map((r, i) => {
      const from = contexts[i].length - 1;
      const s = scored[i];
      const logprobs = Float32Array.from(s.logprobs.subarray(from, from + r.continuation.length));
      const isArgmax = s.isArgmax.slice(from, from + r.continuation.length);
      if (choices && choiceRowsOf && r.continuation.length > 0) {
        const lp = choiceRowsOf[i].map((row) => (row < 0 ? s.logprobs[from] : scored[row].logprobs[scored[row].logprobs.length - 1]));
        const first = r.continuation[0];
        const k = choices.indexOf(first);
        logprobs[0] = k < 0 ? -Infinity : lp[k] - logSumExp(lp);
        // The first most likely choice, as the engine breaks ties.
        const best = lp.reduce((b, x, j) => (x > lp[b] ? j : b), 0);
        isArgmax[0] = k >= 0 && best === k;
      }
      return { logprobs, isArgmax };
    });
  }

  async function generateRow(context: number[], row: number, o: ProposalOptions): Promise<number[]> {
    const base = { temperature: o.temperature, top_k: o.top_k, top_p: o.top_p, repetition_penalty: o.repetition_penalty, banned: o.banned_token_ids, seed: SeededRandom.rowSeed(o.seed, row) };
    const ask = async (ctx: number[], n: number, allowed?: readonly number[]) => {
      try {
        const [choice] = choicesInOrder(await completions(generationRequest(model, { ...base, context: ctx, maxNewTokens: n, allowed }), o.signal), 1);
        const ids = generatedIds(choice);
        if (ids.length !== n) throw new ProtocolError(`asked for exactly ${n} tokens (min_tokens = max_tokens), got ${ids.length}`, 'shape');
        o.onTokens?.(ctx.length + n);
        return ids;
      } catch (err) {
        return protocolFailure(err, client.base);
      }
    };
    if (!o.firstTokenChoices?.length) return ask(context, o.max_new_tokens);
    // allowed_token_ids holds at every position, so the restricted first token is its own request.
    const [first] = await ask(context, 1, o.firstTokenChoices);
    return o.max_new_tokens === 1 ? [first] : [first, ...(await ask([...context, first], o.max_new_tokens - 1))];
  }

  async function generate(contexts: readonly (readonly number[])[], o: ProposalOptions): Promise<number[][]> {
    if (o.firstTokenChoices?.length && o.temperature > 0) {
      // The search restricts only its greedy answers: anything else is a caller's bug.
      throw new Error('generate: a first-token restriction is supported for greedy decoding only (temperature 0).');
    }
    return Promise.all(contexts.map((c, i) => generateRow(withPrefix(c), i, o)));
  }

  const tokenizerCheck = await checkTokenizer(client, model, tokenizer, opts.tokenizerSource ?? 'the local tokenizer', contextPrefix, scoreRows, signal);
  return {
    info: { url: client.base, model, maxModelLen, tokenizerCheck, contextPrefix },
    client,
    ...tokenizerSide(tokenizer),
    score,
    generate,
  };
}

/**
 * Whether the server answers and serves `model`, before anything is loaded for it (the tokenizer):
 * a wrong address or name is then named as such, not as a failed tokenizer download.
 */
export async function checkServer(opts: ClientOptions & { model: string }, signal?: AbortSignal): Promise<void> {
  await checkModel(new ServerClient(opts), opts.model, signal);
}

/** The model is served (GET /v1/models); returns its context length where the server says. */
async function checkModel(client: ServerClient, model: string, signal?: AbortSignal): Promise<number | null> {
  let list: { data?: { id?: string; max_model_len?: number }[] };
  try {
    // One retry at connect: an address that does not answer is usually wrong, not busy.
    list = await client.json('/v1/models', undefined, signal, Math.min(1, client.retries));
  } catch (err) {
    if (err instanceof RemoteError && err.code === 'HTTP' && err.status === 404) {
      throw new RemoteError('NOT_OPENAI', `${client.base} has no /v1/models: it is not an OpenAI-compatible server.`, 'Give the address of a vLLM server (vllm serve MODEL), e.g. http://HOST:8000.', { cause: err });
    }
    throw err;
  }
  const ids = (list.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  const found = list.data?.find((m) => m.id === model);
  if (!found) {
    throw new RemoteError('MODEL_NOT_SERVED', `${client.base} does not serve "${model}"; it serves ${ids.length ? ids.map((id) => `"${id}"`).join(', ') : 'no models'}.`, 'Give one of the names it serves (vLLM: the model id, or --served-model-name).');
  }
  return typeof found.max_model_len === 'number' ? found.max_model_len : null;
}

/**
 * The local tokenizer must be the server's: the probe's ids from /tokenize must equal ours; a
 * server without /tokenize is checked through the texts it gives the probe's tokens. Scoring the
 * probe also proves the server returns prompt log-probabilities.
 */
async function checkTokenizer(
  client: ServerClient,
  model: string,
  tokenizer: TextTokenizer,
  source: string,
  prefix: number[],
  scoreRows: (rows: number[][], c: { signal?: AbortSignal }) => Promise<{ decoded: (string | null)[] }[]>,
  signal?: AbortSignal,
): Promise<ServerInfo['tokenizerCheck']> {
  const ours = tokenizer.encode(TOKENIZER_PROBE);
  const mismatch = (theirs: string) =>
    new RemoteError(
      'TOKENIZER_MISMATCH',
      `The server's tokenizer for "${model}" and ${source} disagree: ${JSON.stringify(TOKENIZER_PROBE)} is ${theirs} on the server and [${ours.join(', ')}] here.`,
      'Use the tokenizer of the model the server runs (its hub id or a folder with its tokenizer.json); scores would be of other tokens.',
    );
  const [probe] = await scoreRows([[...prefix, ...ours]], { signal });
  let check: ServerInfo['tokenizerCheck'] = 'not possible';
  try {
    const res = await client.json<{ tokens?: number[] }>('/tokenize', { model, prompt: TOKENIZER_PROBE, add_special_tokens: false }, signal);
    if (Array.isArray(res.tokens)) {
      if (res.tokens.length !== ours.length || res.tokens.some((t, i) => t !== ours[i])) throw mismatch(`[${res.tokens.join(', ')}]`);
      check = 'tokenize endpoint';
    }
  } catch (err) {
    if (!(err instanceof RemoteError) || err.code !== 'HTTP' || err.status !== 404) throw err;
  }
  if (check === 'not possible') {
    const texts = probe.decoded.slice(prefix.length > 0 ? prefix.length - 1 : 0);
    // A token that is part of a character (byte-level BPE) has no text of its own on either side.
    const known = ours
      .slice(prefix.length > 0 ? 0 : 1)
      .map((id, i) => [tokenizer.decode([id]), texts[i]] as const)
      .filter(([a]) => !a.includes('\uFFFD'));
    if (known.every(([, t]) => t !== null)) {
      if (known.some(([a, t]) => a !== t)) throw mismatch(`read as ${JSON.stringify(known.map(([, t]) => t))}`);
      check = 'decoded tokens';
    }
  }
  return check;
}
