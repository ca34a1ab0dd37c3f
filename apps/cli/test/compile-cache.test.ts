import { describe, expect, it } from '@jest/globals';
import { enableCompileCache } from '../src/compile-cache.js';

describe('enableCompileCache', () => {
  it('does nothing on a Node without module.enableCompileCache (Node 20)', () => {
    const env: Record<string, string | undefined> = {};
    expect(enableCompileCache({}, env)).toBeUndefined();
    expect(env).toEqual({});
  });

  it('turns the cache on and hands its folder to worker threads and child processes through NODE_COMPILE_CACHE', () => {
    const env: Record<string, string | undefined> = {};
    let calls = 0;
    const module = { enableCompileCache: () => ((calls += 1), { directory: '/tmp/node-compile-cache' }) };
    expect(enableCompileCache(module, env)).toBe('/tmp/node-compile-cache');
    expect(calls).toBe(1);
    expect(env.NODE_COMPILE_CACHE).toBe('/tmp/node-compile-cache');
    // A folder the user chose stays theirs.
    const chosen: Record<string, string | undefined> = { NODE_COMPILE_CACHE: '/data/cache' };
    enableCompileCache({ enableCompileCache: () => ({ directory: '/data/cache-resolved' }) }, chosen);
    expect(chosen.NODE_COMPILE_CACHE).toBe('/data/cache');
  });

  it('never throws: a cache that cannot be enabled (FAILED status without a folder, or an exception) leaves it off', () => {
    const env: Record<string, string | undefined> = {};
    expect(enableCompileCache({ enableCompileCache: () => ({}) }, env)).toBeUndefined();
    expect(
      enableCompileCache(
        {
          enableCompileCache: () => {
            throw new Error('read-only file system');
          },
        },
        env,
      ),
    ).toBeUndefined();
    expect(env).toEqual({});
  });
});
