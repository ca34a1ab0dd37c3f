#!/usr/bin/env bash
# Learning quality of the temporal base models on the demo data, ours against the PyTorch twin, and
# what they add to the HGB stack (bench/results/temporal-quality.md). Run from the repository root
# after `pnpm build`; takes 30-60 min of one core on a quiet machine (most of it the CNN runs).
# Every run uses seed 42 and 3 folds of `train --demo` (3000 rows): the folds.json of any of them is
# the fold assignment the twin reads (ids + fold per row; identical across these runs).
set -euo pipefail
R=${RUNS:-/tmp/temporal-quality}
mkdir -p "$R"
train() { local name=$1; shift; pnpm -s cli train --demo --splits 3 --no-refit-final --run-dir "$R/$name" "$@" | grep -A4 'OOF scores'; }
twin() { python3 packages/model-cnn/bench/torch_twin.py --folds "$R/hgb/folds.json" "$@"; }

train hgb                                                      # HGB on wavelet features only
twin --model cnn                                               # the twin at the CNN defaults
twin --model lstm                                              # ... LSTM defaults
twin --model lstm --preset fast                                # ... --lstm-fast
train cnn --no-with-hgb --with-cnn                             # ours at the defaults
train lstm --no-with-hgb --with-lstm
train lstm-fast --no-with-hgb --with-lstm --lstm-fast
train hgb-lstmfast --with-lstm --lstm-fast                     # stacks
train hgb-cnn-lstmfast --with-cnn --with-lstm --lstm-fast
# the seed's settings (before issue 20), cheaper budgets
twin --model cnn --preset seed --epochs 2
printf 'baseModels:\n  - kind: cnn\n    args: { epochs: 2, downsample: 1, batchSize: 64, learningRate: 0.001, classWeight: none,\n            filters: [32, 64, 128], kernelSizes: [7, 5, 3], poolSize: 2, batchNorm: false }\n' > "$R/cnn-seed.yaml"
train cnn-seed-e2 --config "$R/cnn-seed.yaml"
twin --model lstm --preset seed-fast
train lstm-fast-seed --no-with-hgb --with-lstm --lstm-fast --lstm-epochs 2 --lstm-downsample 10 --lstm-frame 1 --lstm-learning-rate 1e-3 --lstm-class-weight none
