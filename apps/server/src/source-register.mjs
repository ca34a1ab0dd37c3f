// `node --import` target: registers source-hooks.mjs (see there) in a forked training worker.
import { register } from 'node:module';

register('./source-hooks.mjs', import.meta.url);
