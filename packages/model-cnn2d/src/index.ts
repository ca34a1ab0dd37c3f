import { registerLoader } from '@pipeline/core';
import { loadCnn2d } from './cnn2d-classifier.js';

export { CNN2D_KIND, CNN2D_DEFAULTS, resolveCnn2dArgs, type Cnn2dArgs, type Cnn2dOptions } from './cnn2d-args.js';
export { inceptionNetwork } from './inception-network.js';
export { cnn2dClassifier, fitCnn2d, loadCnn2d, Cnn2dClassifier, CNN2D_FORMAT_VERSION, type Cnn2dEpoch, type Cnn2dState } from './cnn2d-classifier.js';

registerLoader('cnn2d', loadCnn2d);
