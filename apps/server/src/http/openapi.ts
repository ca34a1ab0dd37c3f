/** The OpenAPI 3.0 document of the API, served at `GET /api/openapi.json`. Written by hand. */
const error = { $ref: '#/components/responses/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object) => ({ description, ...json(schema) });
const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

export const openApiDocument = {
  openapi: '3.0.3',
  info: {
    title: '@pipeline training service',
    version: '1',
    description:
      'Upload CSV datasets, start trainings in background worker processes, follow them live, and use the registered models. Every /api route except /api/health and /api/openapi.json needs `Authorization: Bearer <token>`; ids of another workspace answer 404.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    responses: {
      Error: {
        description: 'An error: 400 bad request / unknown_model_kind / invalid_options, 401 unauthorized, 404 not_found, 409 conflict, 413 payload_too_large / too_many_rows / too_many_columns, 415 unsupported_media_type, 422 invalid_dataset, 429 rate_limited',
        ...json({
          type: 'object',
          required: ['success', 'error'],
          properties: {
            success: { type: 'boolean', enum: [false] },
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, missing_columns: { type: 'array', items: { type: 'string' } } },
            },
          },
        }),
      },
    },
    schemas: {
      Dataset: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          kind: { type: 'string', enum: ['transit', 'tabular'] },
          original_name: { type: 'string', nullable: true },
          size_bytes: { type: 'integer' },
          row_count: { type: 'integer' },
          columns: { type: 'array', items: { type: 'string' } },
          label_distribution: { type: 'object', additionalProperties: { type: 'integer' } },
          sha256: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' },
        },
      },
      Session: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          dataset_id: { type: 'string' },
          model_kind: { type: 'string', enum: ['stack', 'transit-cnn'] },
          model_name: { type: 'string' },
          options: { type: 'object' },
          status: { type: 'string', enum: ['pending', 'training', 'completed', 'failed', 'cancelled'] },
          progress: {
            type: 'object',
            nullable: true,
            properties: { stage: { type: 'string' }, current: { type: 'number' }, total: { type: 'number' }, label: { type: 'string' }, percent: { type: 'number' }, metrics: { type: 'object' } },
          },
          epochs_completed: { type: 'integer' },
          metrics: { type: 'object', nullable: true, additionalProperties: { type: 'number' } },
          error: { type: 'string', nullable: true },
          attempts: { type: 'integer' },
          created_at: { type: 'string', format: 'date-time' },
          started_at: { type: 'string', format: 'date-time', nullable: true },
          finished_at: { type: 'string', format: 'date-time', nullable: true },
          updated_at: { type: 'string', format: 'date-time' },
        },
      },
      Model: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          version: { type: 'integer' },
          model_kind: { type: 'string' },
          session_id: { type: 'string' },
          dataset_id: { type: 'string' },
          metrics: { type: 'object', additionalProperties: { type: 'number' } },
          classes: { type: 'array', items: { type: 'string' } },
          is_current: { type: 'boolean' },
          created_at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
  paths: {
    '/api/health': { get: { summary: 'Liveness and queue load', security: [], responses: { 200: ok('ok', { type: 'object' }) } } },
    '/api/training/upload-dataset': {
      post: {
        summary: 'Upload a CSV dataset (streamed to disk, validated against its kind)',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file', 'name'],
                properties: {
                  file: { type: 'string', format: 'binary' },
                  name: { type: 'string' },
                  kind: { type: 'string', enum: ['transit', 'tabular'], default: 'transit' },
                },
              },
            },
          },
        },
        responses: {
          201: ok('stored', { type: 'object', properties: { success: { type: 'boolean' }, dataset: { $ref: '#/components/schemas/Dataset' } } }),
          400: error,
          401: error,
          413: error,
          415: error,
          422: error,
        },
      },
    },
    '/api/training/datasets': {
      get: {
        summary: "The workspace's datasets",
        responses: {
          200: ok('datasets', { type: 'object', properties: { success: { type: 'boolean' }, datasets: { type: 'array', items: { $ref: '#/components/schemas/Dataset' } }, count: { type: 'integer' } } }),
          401: error,
        },
      },
    },
    '/api/training/datasets/{id}': {
      parameters: [idParam('id', 'dataset id')],
      get: { summary: 'One dataset', responses: { 200: ok('dataset', { type: 'object', properties: { success: { type: 'boolean' }, dataset: { $ref: '#/components/schemas/Dataset' } } }), 401: error, 404: error } },
      delete: { summary: 'Delete a dataset and its file (409 while a training uses it)', responses: { 200: ok('deleted', { type: 'object' }), 401: error, 404: error, 409: error } },
    },
    '/api/training/start': {
      post: {
        summary: 'Queue a training',
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            required: ['dataset_id', 'model_kind', 'model_name'],
            properties: {
              dataset_id: { type: 'string' },
              model_kind: { type: 'string', enum: ['stack', 'transit-cnn'] },
              model_name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
              options: { type: 'object', description: 'stack: a partial training config of @pipeline/workflows (seed, baseModels, meta, cv; inputs are set by the server); transit-cnn: { epochs, … }' },
            },
          }),
        },
        responses: {
          202: ok('queued', { type: 'object', properties: { success: { type: 'boolean' }, session_id: { type: 'string' }, session: { $ref: '#/components/schemas/Session' } } }),
          400: error,
          401: error,
          404: error,
        },
      },
    },
    '/api/training/sessions': {
      get: {
        summary: "The workspace's training sessions, newest first",
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['pending', 'training', 'completed', 'failed', 'cancelled'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          200: ok('sessions', { type: 'object', properties: { success: { type: 'boolean' }, sessions: { type: 'array', items: { $ref: '#/components/schemas/Session' } }, count: { type: 'integer' }, total: { type: 'integer' } } }),
          401: error,
        },
      },
    },
    '/api/training/session/{id}': {
      parameters: [idParam('id', 'session id')],
      get: { summary: 'One session', responses: { 200: ok('session', { type: 'object', properties: { success: { type: 'boolean' }, session: { $ref: '#/components/schemas/Session' } } }), 401: error, 404: error } },
    },
    '/api/training/session/{id}/cancel': {
      parameters: [idParam('id', 'session id')],
      post: { summary: 'Cancel a pending or running training (kills its worker)', responses: { 200: ok('cancelled', { type: 'object' }), 401: error, 404: error, 409: error } },
    },
    '/api/training/session/{id}/events': {
      parameters: [idParam('id', 'session id'), { name: 'access_token', in: 'query', schema: { type: 'string' }, description: 'the bearer token, for EventSource clients' }],
      get: {
        summary: 'Live progress (server-sent events): `session` events with the session JSON, then `end`',
        responses: { 200: { description: 'event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 401: error, 404: error },
      },
    },
    '/api/training/session/{id}/report': {
      parameters: [idParam('id', 'session id'), { name: 'access_token', in: 'query', schema: { type: 'string' }, description: 'the bearer token, for links' }],
      get: {
        summary: "The run's report (self-contained HTML with charts), when the model kind wrote one (stack)",
        responses: { 200: { description: 'report', content: { 'text/html': { schema: { type: 'string' } } } }, 401: error, 404: error },
      },
    },
    '/api/models': {
      get: {
        summary: 'The model registry: every trained model, one current per name',
        parameters: [{ name: 'name', in: 'query', schema: { type: 'string' } }],
        responses: { 200: ok('models', { type: 'object', properties: { success: { type: 'boolean' }, models: { type: 'array', items: { $ref: '#/components/schemas/Model' } }, count: { type: 'integer' } } }), 401: error },
      },
    },
    '/api/models/{name}/current': {
      parameters: [idParam('name', 'model name')],
      post: {
        summary: 'Make a version the current one',
        requestBody: { required: true, ...json({ type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } }) },
        responses: { 200: ok('model', { type: 'object', properties: { success: { type: 'boolean' }, model: { $ref: '#/components/schemas/Model' } } }), 400: error, 401: error, 404: error },
      },
    },
    '/api/models/{name}/predict': {
      parameters: [idParam('name', 'model name'), { name: 'version', in: 'query', schema: { type: 'integer' }, description: 'default: the current version' }],
      post: {
        summary: 'Predict rows: JSON { rows }, a text/csv body or a multipart file',
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'object', required: ['rows'], properties: { rows: { type: 'array', items: { type: 'object' } } } } },
            'text/csv': { schema: { type: 'string' } },
            'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } },
          },
        },
        responses: {
          200: ok('predictions', {
            type: 'object',
            properties: {
              success: { type: 'boolean' },
              model: { type: 'object' },
              class_names: { type: 'array', items: { type: 'string' } },
              classes: { type: 'array', items: { type: 'string' } },
              probabilities: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
              count: { type: 'integer' },
            },
          }),
          400: error,
          401: error,
          404: error,
          413: error,
          422: error,
        },
      },
    },
  },
} as const;
