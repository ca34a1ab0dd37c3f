import { stat } from 'node:fs/promises';

/** Whether `path` exists (a file, a folder or anything else `stat` can see); never throws. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
