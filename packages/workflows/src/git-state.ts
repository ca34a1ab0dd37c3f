import { execFile } from 'node:child_process';

/** The commit and dirty flag of the git working tree holding a folder. */
export interface GitState {
  readonly commit: string;
  /** Uncommitted changes to tracked files (untracked files do not count). */
  readonly dirty: boolean;
}

function git(args: readonly string[], cwd: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('git', [...args], { cwd, timeout: 5000, encoding: 'utf8' }, (error, stdout) => done(error === null ? stdout : undefined));
  });
}

/** The git state of `cwd`, or undefined when it is not in a git working tree (or git is absent). */
export async function gitState(cwd: string): Promise<GitState | undefined> {
  // Both at once: the two processes take 50–70 ms one after the other (trainRun reads this while its folds run).
  const [head, status] = await Promise.all([git(['rev-parse', 'HEAD'], cwd), git(['status', '--porcelain', '--untracked-files=no'], cwd)]);
  if (head === undefined || !/^[0-9a-f]{40}$/.test(head.trim())) return undefined;
  return { commit: head.trim(), dirty: status === undefined ? true : status.trim().length > 0 };
}
