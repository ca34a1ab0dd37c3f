// Writes schema/train-config.schema.json from the zod schema (run after `pnpm build`; a test checks it is current).
import { writeFileSync } from 'node:fs';
import { trainConfigJsonSchema } from '../dist/index.js';

writeFileSync(new URL('../schema/train-config.schema.json', import.meta.url), `${JSON.stringify(trainConfigJsonSchema(), null, 2)}\n`);
