import { z } from 'zod';
import { trainConfigSchema } from './train-config.js';

/**
 * The JSON Schema of a training config file (draft 2020-12), for editors' completion and
 * validation: published as `schema/train-config.schema.json` in this package.
 */
export function trainConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(trainConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: '@pipeline training run config' };
}
