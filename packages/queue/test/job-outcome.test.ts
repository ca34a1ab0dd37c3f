import { describe, expect, it } from '@jest/globals';
import type { JobState } from 'bullmq';
import { readJobOutcome, type JobReader } from '../src/job-outcome.js';

interface Fields {
  readonly attemptsMade: number;
  readonly failedReason?: string;
}

/**
 * A job on its way through two attempts: its stored state and fields advance one step after every
 * read, as a worker would move it while the coordinator reads (1st attempt active → failed and
 * delayed for back-off → 2nd attempt active → failed for good).
 */
function advancingJob(): JobReader<Fields> & { readonly reads: string[] } {
  const steps: Array<{ state: JobState; fields: Fields }> = [
    { state: 'active', fields: { attemptsMade: 0 } },
    { state: 'delayed', fields: { attemptsMade: 1, failedReason: 'poisoned (attempt 1)' } },
    { state: 'active', fields: { attemptsMade: 1, failedReason: 'poisoned (attempt 1)' } },
    { state: 'failed', fields: { attemptsMade: 2, failedReason: 'poisoned (attempt 2)' } },
  ];
  let step = 0;
  const reads: string[] = [];
  const advance = () => {
    step = Math.min(step + 1, steps.length - 1);
  };
  return {
    reads,
    async state(id) {
      reads.push(`state ${id}`);
      const { state } = steps[step]!;
      advance();
      return state;
    },
    async job(id) {
      reads.push(`job ${id}`);
      const { fields } = steps[step]!;
      advance();
      return fields;
    },
  };
}

describe('readJobOutcome', () => {
  it('reads the fields of a failed job after its state, so they are the final attempt’s', async () => {
    const reader = advancingJob();
    const seen: string[] = [];
    for (;;) {
      const outcome = await readJobOutcome(reader, 'j1');
      seen.push(outcome.kind);
      if (outcome.kind === 'failed') {
        expect(outcome.job).toEqual({ attemptsMade: 2, failedReason: 'poisoned (attempt 2)' });
        break;
      }
      expect(seen.length).toBeLessThan(5);
    }
    // Non-final states cost one read; the failed state is followed by one read of the job.
    expect(seen).toEqual(['pending', 'pending', 'pending', 'failed']);
    expect(reader.reads).toEqual(['state j1', 'state j1', 'state j1', 'state j1', 'job j1']);
  });

  it('returns a completed job as read after its state', async () => {
    const reader: JobReader<{ returnvalue: number }> = { state: async () => 'completed', job: async () => ({ returnvalue: 7 }) };
    expect(await readJobOutcome(reader, 'j2')).toEqual({ kind: 'completed', job: { returnvalue: 7 } });
  });

  it('reports a job that is gone (unknown state and no fields, or removed after finishing) as missing, and an unknown state with fields as pending', async () => {
    expect(await readJobOutcome({ state: async () => 'unknown', job: async () => undefined }, 'j3')).toEqual({ kind: 'missing' });
    expect(await readJobOutcome({ state: async () => 'failed', job: async () => undefined }, 'j3')).toEqual({ kind: 'missing' });
    expect(await readJobOutcome({ state: async () => 'unknown', job: async () => ({}) }, 'j3')).toEqual({ kind: 'pending' });
    expect(await readJobOutcome({ state: async () => 'waiting', job: async () => ({}) }, 'j3')).toEqual({ kind: 'pending' });
  });
});
