#!/bin/sh
# Runs the tfjs (wasm) and PyTorch (1 thread) seizure-net benchmarks alternately, `ROUNDS` times,
# on the production shape (19 × 15360, 32 filters, pool 4). Needs the packages built (`pnpm build`)
# and `pip install torch`. Prints one RESULT line per run, prefixed with the runner.
cd "$(dirname "$0")/.."
N=${N:-32}; E=${E:-1}; ROUNDS=${ROUNDS:-3}; T=${T:-15360}; F=${F:-32}; P=${P:-4}
for r in $(seq 1 "$ROUNDS"); do
  echo "tfjs $(node bench/seizure-tfjs.mjs "$N" "$E" "$T" "$F" "$P" | grep RESULT)"
  echo "torch $(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 bench/torch_seizure.py "$N" "$E" 1 "$T" "$F" "$P" 2>/dev/null | grep RESULT)"
done
