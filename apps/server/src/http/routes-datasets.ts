/**
 * Datasets: `POST /api/training/upload-dataset` (multipart: `file`, `name`, optional `kind`),
 * `GET /api/training/datasets`, `GET /api/training/datasets/:id`, `DELETE /api/training/datasets/:id`.
 *
 * An upload streams to `<dataDir>/uploads/<uuid>.part` (a generated name: the client's file name is
 * never a path), is validated, then renamed to `<dataDir>/datasets/<id>.csv` and recorded in the
 * database; any failure removes the partial file, so a row always has its file and a file its row.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DatasetRecord } from '../db/records.js';
import { DATASET_KINDS, validateDataset } from '../datasets/validate-dataset.js';
import type { DatasetKind } from '../model-kinds.js';
import { workspaceOf, type RouteContext } from './context.js';
import { HttpError } from './http-error.js';
import { datasetJson } from './serialize.js';
import { parseOrThrow } from './validation.js';

const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel', 'text/x-csv']);

const idParams = z.object({ id: z.string().min(1).max(100) });

interface StoredUpload {
  readonly tmp: string;
  readonly size: number;
  readonly sha256: string;
  readonly originalName: string;
}

/** Streams one file part to a temporary file, counting and hashing; 413 if it was truncated. */
async function storeFilePart(
  file: NodeJS.ReadableStream & { truncated?: boolean },
  tmp: string,
  limit: number,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(file, meter, createWriteStream(tmp, { flags: 'wx' }));
  if (file.truncated === true || size > limit) {
    throw new HttpError(413, 'payload_too_large', `the file is larger than the upload limit of ${limit} bytes`, { limit });
  }
  return { size, sha256: hash.digest('hex') };
}

/** True if the first KiB holds a NUL byte: not a text CSV. */
async function looksBinary(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buffer, 0, 1024, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

export function registerDatasetRoutes(app: FastifyInstance, context: RouteContext): void {
  const { config, repository, uploadsInFlight } = context;
  const uploadsDir = join(config.dataDir, 'uploads');
  const datasetsDir = join(config.dataDir, 'datasets');

  app.post('/api/training/upload-dataset', async (request, reply) => {
    const workspace = workspaceOf(request);
    if (!request.isMultipart()) {
      throw new HttpError(415, 'unsupported_media_type', "upload the CSV as multipart/form-data with the fields 'file', 'name' and optional 'kind'");
    }
    const fields: Record<string, string> = {};
    let upload: StoredUpload | undefined;
    const tmp = join(uploadsDir, `${randomUUID()}.part`);
    uploadsInFlight.add(tmp);
    try {
      try {
        for await (const part of request.parts({ limits: { fileSize: config.maxUploadBytes, files: 1, fields: 10, fieldSize: 4096 } })) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file' || upload !== undefined) {
              part.file.resume();
              throw new HttpError(400, 'bad_request', `unexpected file field '${part.fieldname}': send one file in the field 'file'`);
            }
            const lower = (part.filename ?? '').toLowerCase();
            if (!lower.endsWith('.csv') && !CSV_TYPES.has(part.mimetype)) {
              part.file.resume();
              throw new HttpError(415, 'unsupported_media_type', `'${part.filename}' (${part.mimetype}) is not a CSV file`);
            }
            const stored = await storeFilePart(part.file, tmp, config.maxUploadBytes);
            upload = { tmp, ...stored, originalName: (part.filename ?? '').slice(0, 255) };
          } else {
            fields[part.fieldname] = String(part.value);
          }
        }
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 413) {
          throw new HttpError(413, 'payload_too_large', `the upload is larger than the limit of ${config.maxUploadBytes} bytes`, { limit: config.maxUploadBytes });
        }
        throw error;
      }
      if (upload === undefined) throw new HttpError(400, 'bad_request', "the multipart body has no 'file' field");
      const name = (fields.name ?? '').trim();
      if (name === '' || name.length > 200) throw new HttpError(400, 'bad_request', "field 'name': give the dataset a name (1–200 characters)", { field: 'name' });
      const kind = (fields.kind ?? 'transit').trim() as DatasetKind;
      if (!DATASET_KINDS.includes(kind)) {
        throw new HttpError(400, 'bad_request', `field 'kind': '${kind}' is not a dataset kind; use one of ${DATASET_KINDS.join(', ')}`, { field: 'kind' });
      }
      if (upload.size === 0) throw new HttpError(422, 'invalid_dataset', 'the file is empty: a CSV with a header line is expected');
      if (await looksBinary(tmp)) throw new HttpError(415, 'unsupported_media_type', 'the file is binary, not a CSV');
      const summary = await validateDataset(tmp, kind, { maxRows: config.maxRows, maxColumns: config.maxColumns });
      const id = randomUUID();
      const record: DatasetRecord = {
        id,
        workspaceId: workspace.id,
        name,
        kind,
        fileName: `${id}.csv`,
        originalName: upload.originalName === '' ? null : upload.originalName,
        sizeBytes: upload.size,
        rowCount: summary.rowCount,
        columns: summary.columns,
        labelDistribution: summary.labelDistribution,
        sha256: upload.sha256,
        createdAt: new Date().toISOString(),
      };
      const final = join(datasetsDir, record.fileName);
      await rename(tmp, final);
      try {
        await repository.insertDataset(record);
      } catch (error) {
        await rm(final, { force: true });
        throw error;
      }
      request.log.info({ datasetId: id, rows: record.rowCount, bytes: record.sizeBytes }, 'dataset stored');
      return reply.code(201).send({ success: true, dataset: datasetJson(record) });
    } finally {
      await rm(tmp, { force: true });
      uploadsInFlight.delete(tmp);
    }
  });

  app.get('/api/training/datasets', async (request) => {
    const workspace = workspaceOf(request);
    const datasets = await repository.listDatasets(workspace.id);
    return { success: true, datasets: datasets.map(datasetJson), count: datasets.length };
  });

  app.get('/api/training/datasets/:id', async (request) => {
    const workspace = workspaceOf(request);
    const { id } = parseOrThrow(idParams, request.params);
    const dataset = await repository.getDataset(workspace.id, id);
    if (dataset === undefined) throw new HttpError(404, 'not_found', `dataset ${id} not found`);
    return { success: true, dataset: datasetJson(dataset) };
  });

  app.delete('/api/training/datasets/:id', async (request) => {
    const workspace = workspaceOf(request);
    const { id } = parseOrThrow(idParams, request.params);
    const dataset = await repository.getDataset(workspace.id, id);
    if (dataset === undefined) throw new HttpError(404, 'not_found', `dataset ${id} not found`);
    if ((await repository.activeSessionsOfDataset(workspace.id, id)) > 0) {
      throw new HttpError(409, 'conflict', `dataset ${id} is used by a pending or running training; cancel it first`);
    }
    await repository.deleteDataset(workspace.id, id);
    await rm(join(datasetsDir, dataset.fileName), { force: true });
    return { success: true, deleted: id };
  });
}
