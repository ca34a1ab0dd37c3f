// @pipeline/core/dev/source-register: the `node --import` target that registers
// ./source-hooks.js (see there) in a process started from TypeScript sources. DEVELOPMENT ONLY.
import { register } from 'node:module';

register('./source-hooks.js', import.meta.url);
