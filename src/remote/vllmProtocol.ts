/**
 * The part of vLLM's OpenAI-compatible server this app uses, as vLLM documents and defines it
 * (vllm/entrypoints/openai/completion/protocol.py: CompletionRequest, CompletionResponseChoice;
 * vllm/logprobs.py: Logprob; the /tokenize and /v1/models routes). Only the fields below are
 * sent or read; docs/server.md lists them with their meaning. Pure: no fetch here.
 */

/** POST /v1/completions. Prompts are token ids, so the search's token layout reaches the model as it is. */
export interface CompletionRequest {
  model: string;
  /** One list of token ids per prompt (vLLM: `list[list[int]]`). */
  prompt: number[][];
  max_tokens: number;
  /** vLLM extension: suppress end-of-sequence and stop tokens until this many tokens exist. */
  min_tokens?: number;
  temperature: number;
  top_p?: number;
  /** vLLM extension; -1 (or 0 in recent versions) considers every token. */
  top_k?: number;
  /** vLLM extension: Hugging Face's multiplicative penalty over prompt and output tokens. */
  repetition_penalty?: number;
  /** Seeds the request's own sampler (vLLM: one generator per request). */
  seed?: number;
  /** Token id -> bias added to its logit; -100 bans it in practice (OpenAI's range is -100..100). */
  logit_bias?: Record<string, number>;
  /** vLLM extension: only these ids may be sampled (at every position). */
  allowed_token_ids?: number[];
  /** vLLM extension: the log-probability of every prompt token (and its rank), plus the top N; 0: the prompt's own tokens only. */
  prompt_logprobs?: number;
  /** Top-N log-probabilities per generated token; with return_tokens_as_token_ids, names tokens "token_id:N". */
  logprobs?: number;
  return_tokens_as_token_ids?: boolean;
  /** vLLM extension (0.10.2 and later): the generated ids in `token_ids`. */
  return_token_ids?: boolean;
  /** vLLM extension: no BOS is added; ours is already in the ids, as the local engine puts it. */
  add_special_tokens?: boolean;
  skip_special_tokens?: boolean;
}

/** vllm.logprobs.Logprob, as serialised in `prompt_logprobs`. */
export interface WireLogprob {
  logprob: number;
  /** The token's rank in the vocabulary at that position, 1 = most likely. */
  rank?: number | null;
  decoded_token?: string | null;
}

export interface CompletionChoice {
  index: number;
  text: string;
  token_ids?: number[] | null;
  /** One entry per prompt token, the first null; each maps token id (as a string) to its Logprob. */
  prompt_logprobs?: (Record<string, WireLogprob> | null)[] | null;
  logprobs?: { tokens?: string[]; token_logprobs?: (number | null)[] } | null;
  finish_reason?: string | null;
}

export interface CompletionResponse {
  model?: string;
  choices: CompletionChoice[];
}

/** What a parsed response is missing, named for the error message. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly missing: 'prompt_logprobs' | 'token_ids' | 'shape',
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Scoring rows: each prompt's own log-probabilities, nothing generated worth keeping. */
export function scoringRequest(model: string, rows: number[][]): CompletionRequest {
  return { model, prompt: rows, max_tokens: 1, temperature: 0, prompt_logprobs: 0, add_special_tokens: false };
}

export interface SamplingRequest {
  context: number[];
  maxNewTokens: number;
  temperature: number;
  top_k: number;
  top_p: number;
  repetition_penalty: number;
  seed: number;
  banned: readonly number[];
  /** Only these ids at every position (used for one-token requests). */
  allowed?: readonly number[];
}

/** Banned ids as a logit bias of -100: vLLM clamps biases to that range. */
export const BAN_BIAS = -100;

/** One row's generation; exactly maxNewTokens tokens (end-of-sequence suppressed until then). */
export function generationRequest(model: string, s: SamplingRequest): CompletionRequest {
  const req: CompletionRequest = {
    model,
    prompt: [s.context],
    max_tokens: s.maxNewTokens,
    min_tokens: s.maxNewTokens,
    temperature: s.temperature,
    top_p: s.top_p,
    top_k: s.top_k > 0 ? s.top_k : -1,
    repetition_penalty: s.repetition_penalty,
    seed: s.seed,
    logprobs: 0,
    return_tokens_as_token_ids: true,
    return_token_ids: true,
    add_special_tokens: false,
    skip_special_tokens: false,
  };
  if (s.banned.length) req.logit_bias = Object.fromEntries(s.banned.map((id) => [String(id), BAN_BIAS]));
  if (s.allowed?.length) req.allowed_token_ids = [...s.allowed];
  return req;
}

/** The response's choices in prompt order (vLLM numbers them by prompt when n = 1). */
export function choicesInOrder(res: unknown, prompts: number): CompletionChoice[] {
  const choices = (res as CompletionResponse | null)?.choices;
  if (!Array.isArray(choices)) throw new ProtocolError('the response has no "choices" list', 'shape');
  if (choices.length !== prompts) throw new ProtocolError(`the response has ${choices.length} choices for ${prompts} prompts`, 'shape');
  const out = [...choices].sort((a, b) => a.index - b.index);
  out.forEach((c, i) => {
    if (c.index !== i) throw new ProtocolError(`choice indices are not 0..${prompts - 1}`, 'shape');
  });
  return out;
}

export interface PromptScores {
  /** logprob of prompt[j] given prompt[<j], for j = 1..n-1 (index j - 1). */
  logprobs: Float64Array;
  /** Whether prompt[j] had rank 1 at its position. */
  isArgmax: boolean[];
  /** The server's text of each prompt token from j = 1 (for the tokenizer check), where it sent one. */
  decoded: (string | null)[];
}

/** One choice's prompt log-probabilities for the prompt it was asked about. */
export function promptScores(choice: CompletionChoice, prompt: readonly number[]): PromptScores {
  const entries = choice.prompt_logprobs;
  if (!Array.isArray(entries)) throw new ProtocolError('the response has no "prompt_logprobs"', 'prompt_logprobs');
  if (entries.length !== prompt.length) throw new ProtocolError(`"prompt_logprobs" has ${entries.length} entries for a prompt of ${prompt.length} tokens`, 'prompt_logprobs');
  const n = prompt.length - 1;
  const logprobs = new Float64Array(n);
  const isArgmax: boolean[] = new Array(n);
  const decoded: (string | null)[] = new Array(n);
  for (let j = 1; j < prompt.length; j++) {
    const entry = entries[j]?.[String(prompt[j])];
    if (!entry || typeof entry.logprob !== 'number') throw new ProtocolError(`"prompt_logprobs" has no entry for token ${prompt[j]} at position ${j}`, 'prompt_logprobs');
    if (typeof entry.rank !== 'number') throw new ProtocolError(`"prompt_logprobs" gives no rank for token ${prompt[j]} at position ${j}`, 'prompt_logprobs');
    // vLLM writes -inf as -9999.0 in JSON; both mean "impossible".
    logprobs[j - 1] = entry.logprob <= -9999 ? -Infinity : entry.logprob;
    isArgmax[j - 1] = entry.rank === 1;
    decoded[j - 1] = typeof entry.decoded_token === 'string' ? entry.decoded_token : null;
  }
  return { logprobs, isArgmax, decoded };
}

/** The generated ids: `token_ids` (vLLM 0.10.2+), else the "token_id:N" names of return_tokens_as_token_ids. */
export function generatedIds(choice: CompletionChoice): number[] {
  if (Array.isArray(choice.token_ids)) return choice.token_ids.map(Number);
  const names = choice.logprobs?.tokens;
  if (Array.isArray(names)) {
    return names.map((t) => {
      const m = /^token_id:(\d+)$/.exec(t);
      if (!m) throw new ProtocolError(`a generated token is named "${t}", not "token_id:N" (return_tokens_as_token_ids)`, 'token_ids');
      return Number(m[1]);
    });
  }
  throw new ProtocolError('the response has neither "token_ids" nor token-id logprobs', 'token_ids');
}

/** The message of an error body: vLLM's {error: {message}} or its older {message}, else the text. */
export function errorMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: string } | string; message?: string; detail?: string };
    if (typeof j.error === 'object' && j.error?.message) return j.error.message;
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
    if (typeof j.detail === 'string') return j.detail;
  } catch {
    /* not JSON */
  }
  return body.trim().slice(0, 300);
}
