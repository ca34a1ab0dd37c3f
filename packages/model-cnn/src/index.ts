export { cnnClassifier, resolveCnnArgs, cnnDefinition, CNN_KIND, CNN_DEFAULTS, type CnnArgs, type CnnOptions } from './cnn-classifier.js';
