import { resolve } from 'node:path';
import { readSeizureConfig, seizureNetArgsOf, type SeizureConfig } from '../seizure-config.js';
import { parameterCount, receptiveField } from '../seizure-net.js';
import { mixedPrecisionReport, type MixedPrecisionReport } from './seizure-train.js';

export interface SeizureConfigReport {
  readonly file: string;
  readonly valid: true;
  readonly config: SeizureConfig;
  /** Samples per window and the network's receptive field in samples and seconds. */
  readonly windowSamples: number;
  readonly receptiveFieldSamples: number;
  readonly receptiveFieldSec: number;
  readonly parameters: number;
  readonly monitor: string;
  readonly mixedPrecision: MixedPrecisionReport;
}

/**
 * Reads and validates a YAML seizure config (throws `E_USAGE` listing every problem with its path and
 * line, `E_NOT_FOUND` for a missing file) and summarises it: window length, receptive field and
 * parameter count of the network (19 channels, the `average` montage), the monitored metric.
 */
export async function validateSeizureConfig(file: string): Promise<SeizureConfigReport> {
  const path = resolve(file);
  const config = await readSeizureConfig(path);
  const channels = config.data.montage === 'bipolar' ? 18 : 19;
  const net = seizureNetArgsOf(config, channels);
  const parameters = parameterCount(net);
  const field = receptiveField(net);
  return {
    file: path,
    valid: true,
    config,
    windowSamples: net.samples,
    receptiveFieldSamples: field,
    receptiveFieldSec: field / config.data.sampleRate,
    parameters,
    monitor: config.train.earlyStopping.metric,
    mixedPrecision: mixedPrecisionReport(config.train.mixedPrecision, 'wasm/cpu'),
  };
}
