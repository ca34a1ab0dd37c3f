/** The JSON shapes of the API (snake_case, as in the seed). */
import type { DatasetRecord, ModelRecord, SessionRecord } from '../db/records.js';

export function datasetJson(dataset: DatasetRecord) {
  return {
    id: dataset.id,
    name: dataset.name,
    kind: dataset.kind,
    original_name: dataset.originalName,
    size_bytes: dataset.sizeBytes,
    row_count: dataset.rowCount,
    columns: dataset.columns,
    label_distribution: dataset.labelDistribution,
    sha256: dataset.sha256,
    created_at: dataset.createdAt,
  };
}

export function sessionJson(session: SessionRecord) {
  return {
    id: session.id,
    dataset_id: session.datasetId,
    model_kind: session.modelKind,
    model_name: session.modelName,
    options: session.options,
    status: session.status,
    progress: session.progress,
    epochs_completed: session.epochsCompleted,
    metrics: session.metrics,
    error: session.error,
    attempts: session.attempts,
    created_at: session.createdAt,
    started_at: session.startedAt,
    finished_at: session.finishedAt,
    updated_at: session.updatedAt,
  };
}

export function modelJson(model: ModelRecord) {
  return {
    id: model.id,
    name: model.name,
    version: model.version,
    model_kind: model.modelKind,
    session_id: model.sessionId,
    dataset_id: model.datasetId,
    metrics: model.metrics,
    classes: model.classes,
    is_current: model.isCurrent,
    created_at: model.createdAt,
  };
}
