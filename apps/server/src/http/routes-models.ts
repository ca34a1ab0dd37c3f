/**
 * The model registry: `GET /api/models` (every trained model with version, timestamp, metrics and
 * session; one current per name), `POST /api/models/:name/current` (`{ version }`) and
 * `POST /api/models/:name/predict` (JSON `{ rows: [...] }`, a `text/csv` body, or a multipart `file`;
 * `?version=N` picks a version, the current one otherwise) → classes and probabilities.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseCsvText } from '../datasets/parse-csv-text.js';
import { getModelKind, type PredictRow } from '../model-kinds.js';
import { workspaceOf, type RouteContext } from './context.js';
import { HttpError } from './http-error.js';
import { modelJson } from './serialize.js';
import { parseOrThrow } from './validation.js';

const nameParams = z.object({ name: z.string().min(1).max(64) });
const currentBody = z.object({ version: z.number().int().min(1) });
const listQuery = z.object({ name: z.string().min(1).max(64).optional() });
const predictQuery = z.object({ version: z.coerce.number().int().min(1).optional() });
const rowsBody = z.object({
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))).min(1),
});

export function registerModelRoutes(app: FastifyInstance, context: RouteContext): void {
  const { repository, config } = context;

  app.get('/api/models', async (request) => {
    const workspace = workspaceOf(request);
    const { name } = parseOrThrow(listQuery, request.query ?? {});
    const models = await repository.listModels(workspace.id, name);
    return { success: true, models: models.map(modelJson), count: models.length };
  });

  app.post('/api/models/:name/current', async (request) => {
    const workspace = workspaceOf(request);
    const { name } = parseOrThrow(nameParams, request.params);
    const { version } = parseOrThrow(currentBody, request.body ?? {});
    const model = await repository.setCurrentModel(workspace.id, name, version);
    if (model === undefined) throw new HttpError(404, 'not_found', `model ${name} version ${version} not found`);
    request.log.info({ model: name, version }, 'current model changed');
    return { success: true, model: modelJson(model) };
  });

  app.post('/api/models/:name/predict', async (request) => {
    const workspace = workspaceOf(request);
    const { name } = parseOrThrow(nameParams, request.params);
    const { version } = parseOrThrow(predictQuery, request.query ?? {});
    const model = version === undefined ? await repository.currentModel(workspace.id, name) : await repository.getModelVersion(workspace.id, name, version);
    if (model === undefined) throw new HttpError(404, 'not_found', version === undefined ? `model ${name} not found` : `model ${name} version ${version} not found`);

    let rows: PredictRow[];
    if (request.isMultipart()) {
      const part = await request.file({ limits: { fileSize: config.maxUploadBytes, files: 1 } });
      if (part === undefined) throw new HttpError(400, 'bad_request', "the multipart body has no 'file' field");
      const buffer = await part.toBuffer();
      rows = parseCsvText(buffer.toString('utf8'), config.maxPredictRows);
    } else if (typeof request.body === 'string') {
      rows = parseCsvText(request.body, config.maxPredictRows);
    } else {
      rows = parseOrThrow(rowsBody, request.body ?? {}).rows;
      if (rows.length > config.maxPredictRows) throw new HttpError(413, 'too_many_rows', `at most ${config.maxPredictRows} rows per predict request`);
    }
    if (rows.length === 0) throw new HttpError(422, 'invalid_input', 'no rows to predict');
    const kind = getModelKind(model.modelKind);
    const prediction = await kind.predict(model.artifactDir, rows, { logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
    return {
      success: true,
      model: { name: model.name, version: model.version, model_kind: model.modelKind },
      class_names: prediction.classNames,
      classes: prediction.classes,
      probabilities: prediction.probabilities,
      count: prediction.classes.length,
    };
  });
}
