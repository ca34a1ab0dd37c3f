import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PipelineError, atomicWrite } from '@pipeline/core';

/** Folder under a runs root holding the studies (`<root>/.studies/<id>/study.json` + artifacts). */
export const STUDIES_DIR = '.studies';

/** The record of a study: its kind, base run, children and results (kind-specific). */
export interface StudyRecord {
  readonly id: string;
  readonly kind: 'ablation' | 'seed-study';
  readonly baseRun: string;
  readonly metric: string;
  readonly createdAt: string;
  readonly children: readonly { readonly id: string; readonly role: string; readonly score: number }[];
  readonly [key: string]: unknown;
}

/** Writes a study's record (atomically) and returns its folder. */
export async function writeStudy(root: string, record: StudyRecord): Promise<string> {
  const dir = join(resolve(root), STUDIES_DIR, record.id);
  await mkdir(dir, { recursive: true });
  await atomicWrite(join(dir, 'study.json'), `${JSON.stringify(record, null, 2)}\n`);
  return dir;
}

/** Every study recorded under a runs root, oldest first. */
export async function listStudies(root: string): Promise<StudyRecord[]> {
  const base = join(resolve(root), STUDIES_DIR);
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return [];
  }
  const out: StudyRecord[] = [];
  for (const name of names.sort()) {
    const file = join(base, name, 'study.json');
    try {
      out.push(JSON.parse(await readFile(file, 'utf8')) as StudyRecord);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new PipelineError('E_INPUT', 'a study record is not valid JSON', { file, cause });
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}
