import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const PACKAGES = [
  '@pipeline/core',
  '@pipeline/ingest',
  '@pipeline/features',
  '@pipeline/model-selection',
  '@pipeline/model-gbdt',
  '@pipeline/model-linear',
  '@pipeline/stacking',
  '@pipeline/metrics',
  '@pipeline/runs',
  '@pipeline/tf',
  '@pipeline/model-lstm',
  '@pipeline/model-cnn',
];

/** Versions of the `@pipeline/*` packages in use (this one's included) and Node's, for run manifests. */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  out[own.name] = own.version;
  for (const name of PACKAGES) {
    try {
      const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
      out[name] = manifest.version;
    } catch {
      out[name] = 'unknown';
    }
  }
  out.node = process.version;
  return out;
}
