/** Writes a model folder in the Hugging Face ONNX layout (onnx-community, transformers.js). */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ModelFolder {
  config: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
  tokenizerJson: object;
  tokenizerConfig: object;
  /** Graph files by their name under onnx/ (model.onnx, model_q4.onnx, ...). */
  graphs: Record<string, Uint8Array>;
  readme?: string;
}

export async function writeModelFolder(dir: string, m: ModelFolder): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  await writeFile(path.join(dir, 'config.json'), json(m.config));
  await writeFile(path.join(dir, 'generation_config.json'), json(m.generationConfig));
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(m.tokenizerJson));
  await writeFile(path.join(dir, 'tokenizer_config.json'), json(m.tokenizerConfig));
  for (const [name, bytes] of Object.entries(m.graphs)) await writeFile(path.join(dir, 'onnx', name), bytes);
  if (m.readme) await writeFile(path.join(dir, 'README.md'), m.readme);
}
