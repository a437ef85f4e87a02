/** `npm run explain` as a user runs it, for the tests: a real child process in the project root. */
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../engine/node/nodeModel.ts';

export function runExplain(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/explain.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
