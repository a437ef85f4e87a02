/**
 * A vLLM server as the search's model, for the command line and the benchmarks: the served
 * model's tokenizer loaded here (a folder, a shipped model or a hub id through the download
 * cache), the server checked, the API key from the environment (never a flag: shell histories
 * keep flags).
 */
import { loadNodeTokenizer } from '../engine/node/nodeModel.ts';
import { checkServer, connectRemoteModel, type RemoteModel } from '../remote/remoteModel.ts';
import { intFlag, stringFlag, UsageError } from './args.ts';

export const SERVER_FLAGS = ['server', 'server_model', 'server_tokenizer', 'server_in_flight'] as const;

export const SERVER_HELP = `A model on a vLLM server instead (the data is sent to that server; see docs/server.md):
  --server URL          the server, e.g. http://gpu-box:8000 (vllm serve MODEL)
  --server-model NAME   the model name it serves (as its /v1/models lists it)
  --server-tokenizer T  the served model's tokenizer: a model folder or a hub id in the
                        download cache (default: --server-model itself)
  --server-in-flight N  requests in flight at once (default 8)
                        The API key, if the server has one, is read from $IPROMPT_SERVER_API_KEY.`;

/** The server the flags name, connected; null without --server (and then no other server flag). */
export async function serverFromFlags(flags: Map<string, string | true>, localFlags: readonly string[]): Promise<{ remote: RemoteModel; tokenizerSource: string } | null> {
  const url = stringFlag(flags, 'server');
  if (!url) {
    for (const f of SERVER_FLAGS.slice(1)) if (flags.has(f)) throw new UsageError(`--${f.replace(/_/g, '-')} needs --server URL.`);
    return null;
  }
  const model = stringFlag(flags, 'server_model');
  if (!model) throw new UsageError('--server needs --server-model NAME: the model name the server serves (its /v1/models lists them).');
  const stray = localFlags.filter((f) => flags.has(f));
  if (stray.length) throw new UsageError(`${stray.map((f) => `--${f}`).join(', ')}: for a local model; with --server the server runs the model.`);
  const apiKey = process.env.IPROMPT_SERVER_API_KEY || undefined;
  // The server first: a wrong address or name is named as such, not as a tokenizer that would not load.
  await checkServer({ url, model, apiKey });
  const tokName = stringFlag(flags, 'server_tokenizer') ?? model;
  let tok;
  try {
    tok = await loadNodeTokenizer(tokName);
  } catch (err) {
    throw new UsageError(`The search tokenizes here, with the served model's tokenizer, and cannot load it from "${tokName}": ${(err as Error).message} Give --server-tokenizer FOLDER (a folder with the model's tokenizer.json) or a hub id.`);
  }
  const remote = await connectRemoteModel({
    url,
    model,
    tokenizer: tok.tokenizer,
    tokenizerSource: tok.source,
    apiKey,
    maxInFlight: flags.has('server_in_flight') ? intFlag(flags, 'server_in_flight', 8) : undefined,
  });
  return { remote, tokenizerSource: tok.source };
}
