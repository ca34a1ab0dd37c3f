import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { MANIFEST_FILE } from './run-directory.js';
import { RUN_FILES } from './run-files.js';
import { VOLATILE_MANIFEST_FIELDS } from './manifest.js';

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

/** The manifest without its clock- and machine-dependent fields, with the run's own folder replaced by `<run>`. */
async function stableManifest(dir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
  for (const key of VOLATILE_MANIFEST_FIELDS) delete manifest[key];
  return JSON.stringify(manifest).replaceAll(dir, '<run>');
}

/**
 * The files of two run folders that differ (present in one only, or with other bytes), ignoring
 * what legitimately differs between two identical runs: the manifest's clock-dependent fields,
 * `metrics/timings.json`, and the durations inside fold checkpoints. Empty when the runs are the
 * same, byte for byte: the check behind "same config and seed → same run".
 */
export async function differingRunFiles(a: string, b: string): Promise<string[]> {
  const [fa, fb] = await Promise.all([listFiles(a), listFiles(b)]);
  const inB = new Set(fb);
  const differing = [...fa.filter((f) => !inB.has(f)), ...fb.filter((f) => !fa.includes(f))];
  for (const file of fa) {
    if (!inB.has(file) || file === RUN_FILES.timings || (file.startsWith(RUN_FILES.checkpoints) && file.endsWith('.json'))) continue;
    if (file === MANIFEST_FILE) {
      if ((await stableManifest(a)) !== (await stableManifest(b))) differing.push(file);
      continue;
    }
    const [x, y] = await Promise.all([readFile(join(a, file)), readFile(join(b, file))]);
    if (!x.equals(y)) differing.push(file);
  }
  return differing.sort();
}
