import { confusionRecord, NedcCounts } from './nedc-scores.js';
import { sampleEpochs, type EpochOptions } from './epoch-score.js';
import type { NedcLabel } from './types.js';
import type { Recording } from './types.js';

export interface IraResult {
  /** Cohen's kappa of the seizure label against the rest. */
  readonly kappa: number;
  readonly kappaPerLabel: Readonly<Record<NedcLabel, number>>;
  /** Kappa over the whole confusion matrix: (N·M − Σ rᵢcᵢ) / (N² − Σ rᵢcᵢ). */
  readonly multiClassKappa: number;
  /** Epoch confusion counts `[ref][hyp]`. */
  readonly confusion: Readonly<Record<NedcLabel, Readonly<Record<NedcLabel, number>>>>;
}

/**
 * Inter-rater agreement (IRA), as NEDC v6.0.0's `NedcIra`: Cohen's kappa on the epoch confusion
 * matrix (same sampling as {@link epochScore}), per label and multi-class. Per label it uses NEDC's
 * 2x2 reduction (`d` = the other labels' diagonal). When `1 − p_e = 0`, kappa is 1 if `p_o = p_e`
 * and 0 otherwise.
 */
export function ira(recordings: readonly Recording[], options: EpochOptions = {}): IraResult {
  const acc = new NedcCounts();
  sampleEpochs(recordings, options, acc);
  const sub = acc.sub;
  const perLabel = [0, 1].map((l) => {
    const o = 1 - l;
    const a = sub[l * 2 + l]!;
    const b = sub[l * 2 + o]!;
    const c = sub[o * 2 + l]!;
    const d = sub[o * 2 + o]!;
    const n = a + b + c + d;
    let po = 0;
    let pe = 0;
    if (n !== 0) {
      po = (a + d) / n;
      pe = (((a + b) / n) * (a + c)) / n + (((c + d) / n) * (b + d)) / n;
    }
    const numerator = po - pe;
    const denominator = 1 - pe;
    if (denominator === 0) return numerator !== 0 ? 0 : 1;
    return numerator / denominator;
  });
  const rows = [sub[0]! + sub[1]!, sub[2]! + sub[3]!];
  const cols = [sub[0]! + sub[2]!, sub[1]! + sub[3]!];
  const trace = sub[0]! + sub[3]!;
  const total = rows[0]! + rows[1]!;
  const chance = rows[0]! * cols[0]! + rows[1]! * cols[1]!;
  const numerator = total * trace - chance;
  const denominator = total * total - chance;
  const multiClassKappa = denominator === 0 ? (numerator === 0 ? 1 : 0) : numerator / denominator;
  return {
    kappa: perLabel[0]!,
    kappaPerLabel: { seiz: perLabel[0]!, bckg: perLabel[1]! },
    multiClassKappa,
    confusion: confusionRecord(sub),
  };
}
