import type { JobState } from 'bullmq';

/** The two reads the coordinator makes of a job: its state, and its stored fields. */
export interface JobReader<J> {
  state(id: string): Promise<JobState | 'unknown'>;
  job(id: string): Promise<J | undefined>;
}

export type JobOutcome<J> =
  | { readonly kind: 'pending' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'completed'; readonly job: J }
  | { readonly kind: 'failed'; readonly job: J };

/**
 * Where a job stands. The state is read first and the job's fields after it: once a job is completed
 * or failed for good its fields no longer change, so `attemptsMade`, `failedReason` and `returnvalue`
 * are the final ones. (Fields read before the state can be one attempt old: a job read while its
 * first attempt was being retried and found failed a moment later would report one attempt and the
 * first attempt's reason.)
 */
export async function readJobOutcome<J>(reader: JobReader<J>, id: string): Promise<JobOutcome<J>> {
  const state = await reader.state(id);
  if (state === 'completed' || state === 'failed') {
    const job = await reader.job(id);
    // Removed between the two reads (its age ran out): the caller enqueues it again.
    return job === undefined ? { kind: 'missing' } : { kind: state, job };
  }
  if (state === 'unknown') return (await reader.job(id)) === undefined ? { kind: 'missing' } : { kind: 'pending' };
  return { kind: 'pending' };
}
