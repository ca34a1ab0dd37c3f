import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from '@jest/globals';

// The dev-only hooks that let workers and child processes run the monorepo's TypeScript sources.
const entry = new URL('./fixtures/source-hooks/entry.ts', import.meta.url);
// What entry.ts computes (21 × 2; E_NOT_FOUND → exit 4) and where `@pipeline/core` must resolve.
const expected = { doubled: 42, exitCode: 4, core: new URL('../src/index.ts', import.meta.url).href };

type Resolved = { url: string };
type Next = (specifier: string, context?: { conditions?: string[] }) => Promise<Resolved>;
const hooks = (await import('@pipeline/core/dev/source-hooks')) as unknown as {
  resolve(specifier: string, context: { conditions: string[] }, next: Next): Promise<Resolved>;
};

describe('@pipeline/core/dev/source-hooks', () => {
  it('resolves with the @pipeline/source condition added once', async () => {
    const seen: string[][] = [];
    const next: Next = async (specifier, context) => {
      seen.push(context?.conditions ?? []);
      return { url: `file:///${specifier}` };
    };
    await hooks.resolve('@pipeline/x', { conditions: ['node', 'import'] }, next);
    await hooks.resolve('@pipeline/x', { conditions: ['@pipeline/source', 'node'] }, next);
    expect(seen).toEqual([['@pipeline/source', 'node', 'import'], ['@pipeline/source', 'node']]);
  });

  it('tries `.ts` for a path import of a missing `.js` file, never for a package name', async () => {
    const tried: string[] = [];
    const next: Next = async (specifier) => {
      tried.push(specifier);
      if (specifier.endsWith('.js')) throw new Error(`missing ${specifier}`);
      return { url: specifier };
    };
    await expect(hooks.resolve('./a.js', { conditions: [] }, next)).resolves.toEqual({ url: './a.ts' });
    await expect(hooks.resolve('../b/c.js', { conditions: [] }, next)).resolves.toEqual({ url: '../b/c.ts' });
    await expect(hooks.resolve('file:///d.js', { conditions: [] }, next)).resolves.toEqual({ url: 'file:///d.ts' });
    await expect(hooks.resolve('some-package/e.js', { conditions: [] }, next)).rejects.toThrow('missing some-package/e.js');
    expect(tried).toEqual(['./a.js', './a.ts', '../b/c.js', '../b/c.ts', 'file:///d.js', 'file:///d.ts', 'some-package/e.js']);
  });

  it('a worker thread that registers them runs TypeScript sources', async () => {
    const bootstrap = `import { register } from 'node:module';\nregister('@pipeline/core/dev/source-hooks', ${JSON.stringify(import.meta.url)});\nawait import(${JSON.stringify(entry.href)});\n`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`));
    try {
      const report = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it reported`)));
      });
      expect(report).toEqual(expected);
    } finally {
      await worker.terminate();
    }
  });

  it('a child process started with --import @pipeline/core/dev/source-register runs TypeScript sources', () => {
    const register = import.meta.resolve('@pipeline/core/dev/source-register');
    const child = spawnSync(process.execPath, ['--no-warnings', '--import', register, fileURLToPath(entry)], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual(expected);
  });
});
