/**
 * The one repository of the server: every query it makes, over either SQL driver. Every read or
 * write of a workspace's data takes the workspace id, so a token never reaches another workspace's
 * rows (the routes turn "no row" into 404).
 */
import { randomUUID } from 'node:crypto';
import { migrate, type MigrateOptions, type SqlDriver, type SqlValue } from '@pipeline/server-db';
import type { DatasetRecord, ModelRecord, SessionProgress, SessionRecord, SessionStatus, Workspace } from './records.js';

type Row = Record<string, unknown>;

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));
const parse = <T>(value: unknown): T | null => (typeof value === 'string' ? (JSON.parse(value) as T) : null);
const now = (): string => new Date().toISOString();

function toDataset(row: Row): DatasetRecord {
  return {
    id: String(row.id),
    workspaceId: String(row.workspace_id),
    name: String(row.name),
    kind: row.kind as DatasetRecord['kind'],
    fileName: String(row.file_name),
    originalName: (row.original_name as string | null) ?? null,
    sizeBytes: Number(row.size_bytes),
    rowCount: Number(row.row_count),
    columns: parse<string[]>(row.columns) ?? [],
    labelDistribution: parse<Record<string, number>>(row.label_distribution) ?? {},
    sha256: String(row.sha256),
    createdAt: String(row.created_at),
  };
}

function toSession(row: Row): SessionRecord {
  return {
    id: String(row.id),
    workspaceId: String(row.workspace_id),
    datasetId: String(row.dataset_id),
    modelKind: String(row.model_kind),
    modelName: String(row.model_name),
    options: parse<unknown>(row.options),
    status: row.status as SessionStatus,
    progress: parse<SessionProgress>(row.progress),
    epochsCompleted: Number(row.epochs_completed),
    metrics: parse<Record<string, number>>(row.metrics),
    error: (row.error as string | null) ?? null,
    attempts: Number(row.attempts),
    artifactDir: (row.artifact_dir as string | null) ?? null,
    createdAt: String(row.created_at),
    startedAt: (row.started_at as string | null) ?? null,
    finishedAt: (row.finished_at as string | null) ?? null,
    updatedAt: String(row.updated_at),
  };
}

function toModel(row: Row): ModelRecord {
  return {
    id: String(row.id),
    workspaceId: String(row.workspace_id),
    name: String(row.name),
    version: Number(row.version),
    modelKind: String(row.model_kind),
    sessionId: String(row.session_id),
    datasetId: String(row.dataset_id),
    metrics: parse<Record<string, number>>(row.metrics) ?? {},
    classes: parse<string[]>(row.classes) ?? [],
    artifactDir: String(row.artifact_dir),
    isCurrent: Number(row.is_current) === 1,
    createdAt: String(row.created_at),
  };
}

/** The fields of a session the job runner updates. */
export interface SessionPatch {
  readonly status?: SessionStatus;
  readonly progress?: SessionProgress | null;
  readonly epochsCompleted?: number;
  readonly metrics?: Readonly<Record<string, number>> | null;
  readonly error?: string | null;
  readonly attempts?: number;
  readonly artifactDir?: string | null;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
}

const PATCH_COLUMNS: Record<keyof SessionPatch, [string, (value: never) => SqlValue]> = {
  status: ['status', (v: string) => v],
  progress: ['progress', (v: unknown) => json(v)],
  epochsCompleted: ['epochs_completed', (v: number) => v],
  metrics: ['metrics', (v: unknown) => json(v)],
  error: ['error', (v: string | null) => v],
  attempts: ['attempts', (v: number) => v],
  artifactDir: ['artifact_dir', (v: string | null) => v],
  startedAt: ['started_at', (v: string | null) => v],
  finishedAt: ['finished_at', (v: string | null) => v],
};

export class Repository {
  constructor(readonly driver: SqlDriver) {}

  /** Brings the schema (owned by `@pipeline/server-db`) up to date; returns the migration versions applied. */
  migrate(options: MigrateOptions = {}): Promise<number[]> {
    return migrate(this.driver, options);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  // ---- workspaces and tokens

  /** The workspace named `name`, created if it does not exist. */
  async ensureWorkspace(name: string): Promise<Workspace> {
    return this.driver.transaction(async (tx) => {
      const existing = await tx.get<Row>('SELECT * FROM workspaces WHERE name = ?', [name]);
      if (existing !== undefined) return { id: String(existing.id), name, createdAt: String(existing.created_at) };
      const workspace = { id: randomUUID(), name, createdAt: now() };
      await tx.run('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)', [workspace.id, name, workspace.createdAt]);
      return workspace;
    });
  }

  async insertToken(workspaceId: string, tokenHash: string): Promise<void> {
    await this.driver.run('INSERT INTO tokens (id, workspace_id, token_hash, created_at) VALUES (?, ?, ?, ?)', [randomUUID(), workspaceId, tokenHash, now()]);
  }

  /** The workspace a token hash belongs to, if any. */
  async workspaceForToken(tokenHash: string): Promise<Workspace | undefined> {
    const row = await this.driver.get<Row>(
      'SELECT w.id, w.name, w.created_at FROM tokens t JOIN workspaces w ON w.id = t.workspace_id WHERE t.token_hash = ?',
      [tokenHash],
    );
    return row === undefined ? undefined : { id: String(row.id), name: String(row.name), createdAt: String(row.created_at) };
  }

  // ---- datasets

  async insertDataset(record: DatasetRecord): Promise<void> {
    await this.driver.run(
      'INSERT INTO datasets (id, workspace_id, name, kind, file_name, original_name, size_bytes, row_count, columns, label_distribution, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        record.id,
        record.workspaceId,
        record.name,
        record.kind,
        record.fileName,
        record.originalName,
        record.sizeBytes,
        record.rowCount,
        JSON.stringify(record.columns),
        JSON.stringify(record.labelDistribution),
        record.sha256,
        record.createdAt,
      ],
    );
  }

  async listDatasets(workspaceId: string): Promise<DatasetRecord[]> {
    const rows = await this.driver.all<Row>('SELECT * FROM datasets WHERE workspace_id = ? ORDER BY created_at DESC, id', [workspaceId]);
    return rows.map(toDataset);
  }

  async getDataset(workspaceId: string, id: string): Promise<DatasetRecord | undefined> {
    const row = await this.driver.get<Row>('SELECT * FROM datasets WHERE workspace_id = ? AND id = ?', [workspaceId, id]);
    return row === undefined ? undefined : toDataset(row);
  }

  /** Deletes a dataset row; returns whether it existed. */
  async deleteDataset(workspaceId: string, id: string): Promise<boolean> {
    return (await this.driver.run('DELETE FROM datasets WHERE workspace_id = ? AND id = ?', [workspaceId, id])).changes > 0;
  }

  /** Every stored dataset file name, across workspaces (the orphan sweep compares them with the disk). */
  async allDatasetFileNames(): Promise<Set<string>> {
    const rows = await this.driver.all<{ file_name: string }>('SELECT file_name FROM datasets');
    return new Set(rows.map((row) => row.file_name));
  }

  // ---- training sessions

  async insertSession(input: { workspaceId: string; datasetId: string; modelKind: string; modelName: string; options: unknown }): Promise<SessionRecord> {
    const id = randomUUID();
    const at = now();
    await this.driver.run(
      "INSERT INTO training_sessions (id, workspace_id, dataset_id, model_kind, model_name, options, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
      [id, input.workspaceId, input.datasetId, input.modelKind, input.modelName, JSON.stringify(input.options ?? {}), at, at],
    );
    return (await this.getSessionById(id))!;
  }

  async listSessions(workspaceId: string, filter: { status?: SessionStatus; limit?: number } = {}): Promise<SessionRecord[]> {
    const params: SqlValue[] = [workspaceId];
    let sql = 'SELECT * FROM training_sessions WHERE workspace_id = ?';
    if (filter.status !== undefined) {
      sql += ' AND status = ?';
      params.push(filter.status);
    }
    sql += ' ORDER BY created_at DESC, id LIMIT ?';
    params.push(filter.limit ?? 100);
    return (await this.driver.all<Row>(sql, params)).map(toSession);
  }

  async countSessions(workspaceId: string, status?: SessionStatus): Promise<number> {
    const row = status === undefined
      ? await this.driver.get<{ n: number }>('SELECT COUNT(*) AS n FROM training_sessions WHERE workspace_id = ?', [workspaceId])
      : await this.driver.get<{ n: number }>('SELECT COUNT(*) AS n FROM training_sessions WHERE workspace_id = ? AND status = ?', [workspaceId, status]);
    return Number(row?.n ?? 0);
  }

  async getSession(workspaceId: string, id: string): Promise<SessionRecord | undefined> {
    const row = await this.driver.get<Row>('SELECT * FROM training_sessions WHERE workspace_id = ? AND id = ?', [workspaceId, id]);
    return row === undefined ? undefined : toSession(row);
  }

  /** A session by id alone: for the job runner, never for a request. */
  async getSessionById(id: string): Promise<SessionRecord | undefined> {
    const row = await this.driver.get<Row>('SELECT * FROM training_sessions WHERE id = ?', [id]);
    return row === undefined ? undefined : toSession(row);
  }

  async sessionsWithStatus(statuses: readonly SessionStatus[]): Promise<SessionRecord[]> {
    const marks = statuses.map(() => '?').join(', ');
    return (await this.driver.all<Row>(`SELECT * FROM training_sessions WHERE status IN (${marks}) ORDER BY created_at, id`, [...statuses])).map(toSession);
  }

  /** Number of sessions of a dataset still pending or training. */
  async activeSessionsOfDataset(workspaceId: string, datasetId: string): Promise<number> {
    const row = await this.driver.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM training_sessions WHERE workspace_id = ? AND dataset_id = ? AND status IN ('pending', 'training')",
      [workspaceId, datasetId],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Updates a session. With `onlyIf`, the update happens only while the session has one of those
   * statuses (so a late progress message never overwrites `cancelled`); returns whether it happened.
   */
  async updateSession(id: string, patch: SessionPatch, onlyIf?: readonly SessionStatus[]): Promise<boolean> {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof SessionPatch, unknown][]) {
      if (value === undefined) continue;
      const [column, encode] = PATCH_COLUMNS[key];
      sets.push(`${column} = ?`);
      params.push((encode as (v: unknown) => SqlValue)(value));
    }
    sets.push('updated_at = ?');
    params.push(now());
    let sql = `UPDATE training_sessions SET ${sets.join(', ')} WHERE id = ?`;
    params.push(id);
    if (onlyIf !== undefined) {
      sql += ` AND status IN (${onlyIf.map(() => '?').join(', ')})`;
      params.push(...onlyIf);
    }
    return (await this.driver.run(sql, params)).changes > 0;
  }

  // ---- models

  /**
   * Completes a session and registers its model in one transaction: the next version of the name,
   * made current (the previous current one is unmarked). Returns undefined when the session was no
   * longer `training` (cancelled meanwhile): nothing is written then.
   */
  async completeSession(
    session: SessionRecord,
    result: { metrics: Readonly<Record<string, number>>; epochsCompleted: number; classes: readonly string[]; artifactDir: string },
  ): Promise<ModelRecord | undefined> {
    return this.driver.transaction(async (tx) => {
      const at = now();
      const updated = await tx.run(
        "UPDATE training_sessions SET status = 'completed', metrics = ?, epochs_completed = ?, artifact_dir = ?, finished_at = ?, updated_at = ?, error = NULL WHERE id = ? AND status = 'training'",
        [JSON.stringify(result.metrics), result.epochsCompleted, result.artifactDir, at, at, session.id],
      );
      if (updated.changes === 0) return undefined;
      const last = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM models WHERE workspace_id = ? AND name = ?', [session.workspaceId, session.modelName]);
      const version = Number(last?.v ?? 0) + 1;
      await tx.run('UPDATE models SET is_current = 0 WHERE workspace_id = ? AND name = ?', [session.workspaceId, session.modelName]);
      const id = randomUUID();
      await tx.run(
        'INSERT INTO models (id, workspace_id, name, version, model_kind, session_id, dataset_id, metrics, classes, artifact_dir, is_current, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)',
        [id, session.workspaceId, session.modelName, version, session.modelKind, session.id, session.datasetId, JSON.stringify(result.metrics), JSON.stringify(result.classes), result.artifactDir, at],
      );
      return toModel((await tx.get<Row>('SELECT * FROM models WHERE id = ?', [id]))!);
    });
  }

  async listModels(workspaceId: string, name?: string): Promise<ModelRecord[]> {
    const rows = name === undefined
      ? await this.driver.all<Row>('SELECT * FROM models WHERE workspace_id = ? ORDER BY name, version DESC', [workspaceId])
      : await this.driver.all<Row>('SELECT * FROM models WHERE workspace_id = ? AND name = ? ORDER BY version DESC', [workspaceId, name]);
    return rows.map(toModel);
  }

  async currentModel(workspaceId: string, name: string): Promise<ModelRecord | undefined> {
    const row = await this.driver.get<Row>('SELECT * FROM models WHERE workspace_id = ? AND name = ? AND is_current = 1', [workspaceId, name]);
    return row === undefined ? undefined : toModel(row);
  }

  async getModelVersion(workspaceId: string, name: string, version: number): Promise<ModelRecord | undefined> {
    const row = await this.driver.get<Row>('SELECT * FROM models WHERE workspace_id = ? AND name = ? AND version = ?', [workspaceId, name, version]);
    return row === undefined ? undefined : toModel(row);
  }

  /** Marks one version current (and no other of the name); returns it, or undefined if it does not exist. */
  async setCurrentModel(workspaceId: string, name: string, version: number): Promise<ModelRecord | undefined> {
    return this.driver.transaction(async (tx) => {
      const target = await tx.get<Row>('SELECT id FROM models WHERE workspace_id = ? AND name = ? AND version = ?', [workspaceId, name, version]);
      if (target === undefined) return undefined;
      await tx.run('UPDATE models SET is_current = CASE WHEN version = ? THEN 1 ELSE 0 END WHERE workspace_id = ? AND name = ?', [version, workspaceId, name]);
      return toModel((await tx.get<Row>('SELECT * FROM models WHERE id = ?', [String(target.id)]))!);
    });
  }
}
