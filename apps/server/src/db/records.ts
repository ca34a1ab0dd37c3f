/** The rows of the server's tables, as the repository returns them (JSON columns parsed). */
import type { DatasetKind } from '../model-kinds.js';

export interface Workspace {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface DatasetRecord {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly kind: DatasetKind;
  /** The generated file name under `<dataDir>/datasets/` (never the client's name). */
  readonly fileName: string;
  /** The client's file name, kept for display only. */
  readonly originalName: string | null;
  readonly sizeBytes: number;
  readonly rowCount: number;
  readonly columns: readonly string[];
  readonly labelDistribution: Readonly<Record<string, number>>;
  readonly sha256: string;
  readonly createdAt: string;
}

export type SessionStatus = 'pending' | 'training' | 'completed' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly SessionStatus[] = ['completed', 'failed', 'cancelled'];

export interface SessionProgress {
  readonly stage: string;
  readonly current: number;
  readonly total: number;
  readonly label?: string;
  /** 0–100, rounded to one decimal. */
  readonly percent: number;
  readonly metrics?: Readonly<Record<string, number>>;
}

export interface SessionRecord {
  readonly id: string;
  readonly workspaceId: string;
  readonly datasetId: string;
  readonly modelKind: string;
  readonly modelName: string;
  readonly options: unknown;
  readonly status: SessionStatus;
  readonly progress: SessionProgress | null;
  readonly epochsCompleted: number;
  readonly metrics: Readonly<Record<string, number>> | null;
  readonly error: string | null;
  readonly attempts: number;
  readonly artifactDir: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
}

export interface ModelRecord {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly version: number;
  readonly modelKind: string;
  readonly sessionId: string;
  readonly datasetId: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly classes: readonly string[];
  readonly artifactDir: string;
  readonly isCurrent: boolean;
  readonly createdAt: string;
}
