import {
  argmaxRows,
  checkArtifact,
  loadModel,
  matrix,
  PipelineError,
  registerLoader,
  type FitContext,
  type FittedClassifier,
  type Matrix,
  type ModelArtifact,
} from '@pipeline/core';
import { probaByClass } from './class-columns.js';

export const BAGGED_KIND = 'bagged';
const FORMAT_VERSION = 1;

/**
 * The mean of several fitted models' probabilities (a stack's fold models under `refit: 'bagged'`).
 * Classes are 0..nClasses-1; a member that lacks a class contributes 0 for it.
 */
export class BaggedClassifier implements FittedClassifier {
  readonly kind = BAGGED_KIND;
  readonly classes: readonly number[];
  readonly nFeatures: number;
  readonly members: readonly FittedClassifier[];

  constructor(members: readonly FittedClassifier[], nClasses: number) {
    if (members.length === 0) throw new PipelineError('E_INTERNAL', 'a bagged classifier needs at least one member');
    const widths = new Set(members.map((m) => m.nFeatures));
    if (widths.size !== 1) throw new PipelineError('E_INTERNAL', `bagged members expect different widths: ${[...widths].join(', ')}`);
    this.members = members;
    this.nFeatures = members[0]!.nFeatures;
    this.classes = Array.from({ length: nClasses }, (_, c) => c);
  }

  async predictProba(features: Matrix, context?: FitContext): Promise<Matrix> {
    const k = this.classes.length;
    const sum = new Float64Array(features.rows * k);
    for (const [index, member] of this.members.entries()) {
      const proba = probaByClass(await member.predictProba(features, context), member.classes, k, `bagged member ${index}`);
      for (let i = 0; i < sum.length; i++) sum[i]! += proba.data[i]!;
    }
    const out = matrix(features.rows, k);
    for (let i = 0; i < sum.length; i++) out.data[i] = sum[i]! / this.members.length;
    return out;
  }

  async predict(features: Matrix, context?: FitContext): Promise<Int32Array> {
    return argmaxRows(await this.predictProba(features, context));
  }

  async toArtifact(): Promise<ModelArtifact> {
    const children: Record<string, ModelArtifact> = {};
    for (const [index, member] of this.members.entries()) children[`member-${index}`] = await member.toArtifact();
    return {
      kind: BAGGED_KIND,
      formatVersion: FORMAT_VERSION,
      args: {},
      state: { nClasses: this.classes.length, nFeatures: this.nFeatures, members: this.members.length },
      files: [],
      children,
    };
  }

  dispose(): void {
    for (const member of this.members) member.dispose();
  }
}

export async function loadBaggedClassifier(artifact: ModelArtifact): Promise<BaggedClassifier> {
  checkArtifact(artifact, BAGGED_KIND, [FORMAT_VERSION]);
  const state = artifact.state as { nClasses: number; members: number };
  const members: FittedClassifier[] = [];
  for (let index = 0; index < state.members; index++) {
    const child = artifact.children?.[`member-${index}`];
    if (child === undefined) {
      throw new PipelineError('E_INPUT', `bagged model artifact lacks member ${index}`, { field: `children/member-${index}`, hint: 're-save the model' });
    }
    members.push(await loadModel(child));
  }
  return new BaggedClassifier(members, state.nClasses);
}

registerLoader(BAGGED_KIND, loadBaggedClassifier);
