import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { QueueWorkerOptions } from '@pipeline/queue';

/** The built worker entry (tests run workers as separate processes from the build, as users do). */
export const WORKER_BIN = fileURLToPath(new URL('../dist/worker-bin.js', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stderr so far (for failure messages). */
  readonly stderr: () => string;
  /** The JSON log lines the worker printed so far. */
  readonly logs: () => Array<{ level: string; message: string; [field: string]: unknown }>;
  /** SIGKILL to the worker's whole process group (the worker and its sandboxed children). */
  killHard(): void;
  stop(): Promise<void>;
}

/** Starts `node dist/worker-bin.js` in its own process group and waits for `ready`. */
export async function startWorkerProcess(options: QueueWorkerOptions): Promise<WorkerProcess> {
  if (!existsSync(WORKER_BIN)) throw new Error(`${WORKER_BIN} is missing: run pnpm build first`);
  const child = spawn(process.execPath, [WORKER_BIN, JSON.stringify(options)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 30 s: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d.toString();
      if (out.includes('"message":"ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} while starting: ${err}`));
    });
  });
  const pid = child.pid!;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: string; message: string }),
    killHard() {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
    async stop() {
      if (gone()) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // the group is empty
      }
    },
  };
}
