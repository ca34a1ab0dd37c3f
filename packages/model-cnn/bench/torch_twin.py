#!/usr/bin/env python3
"""PyTorch twin of @pipeline/model-cnn's CNN1D and @pipeline/model-lstm's LSTM base models.

Same layers, initialisers (Keras/tfjs: Glorot-uniform kernels, orthogonal recurrent kernel, zero
biases with the LSTM's forget gate at 1, BatchNorm gamma 1 / beta 0), optimizer (Adam, tfjs epsilon
1e-7), learning rate, batch size, epochs, downsampling (x[:, ::k]), per-channel input
standardisation fitted on the training rows, balanced class weights (when asked), and the same
folds: the `folds.json` of a `pnpm cli train --demo` run (rows, ids, fold), so both implementations
train and score on identical rows. Shuffling and initial values come from torch's generator, so the
numbers are a statistical, not a bitwise, reference.

Usage (one thread, like the project's peer benchmarks):
  python3 packages/model-cnn/bench/torch_twin.py --model cnn --folds RUN/folds.json [--epochs 8 ...]
  python3 packages/model-cnn/bench/torch_twin.py --model lstm --preset fast --folds RUN/folds.json
Prints one JSON line: accuracy / balanced accuracy of the out-of-fold predictions, per fold too.
"""
import argparse
import csv
import json
import time

import h5py
import numpy as np
import torch
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

# Defaults of the TypeScript packages (keep in step with CNN_DEFAULTS / LSTM_DEFAULTS / LSTM_FAST_PRESET).
CNN_DEFAULTS = dict(epochs=12, batch_size=32, downsample=2, learning_rate=2e-3, filters=[16, 32, 64], kernel_sizes=[9, 9, 9],
                    pool_size=4, batch_norm=True, class_weight='balanced')
LSTM_DEFAULTS = dict(epochs=6, batch_size=32, downsample=2, learning_rate=2e-3, units=64, dense_units=32, frame=25, class_weight='balanced')
LSTM_FAST = dict(epochs=6, batch_size=64, downsample=2, frame=25, learning_rate=3e-3, units=32, dense_units=16)
# The seed's settings before issue 20 (CNN_SEED_PRESET / LSTM_SEED_PRESET, and the seed's fast preset).
CNN_SEED = dict(epochs=20, batch_size=64, downsample=1, learning_rate=1e-3, filters=[32, 64, 128], kernel_sizes=[7, 5, 3], pool_size=2,
                batch_norm=False, class_weight='none')
LSTM_SEED = dict(epochs=3, downsample=5, learning_rate=1e-3, frame=1, class_weight='none')
LSTM_SEED_FAST = dict(LSTM_SEED, epochs=2, batch_size=64, downsample=10, units=32, dense_units=16)


def read_demo(h5_path, y_csv, meta_cols):
    with h5py.File(h5_path, 'r') as f:
        features = f['features'][()]
    ids = features[:, 0].astype(np.int64)
    signal = features[:, meta_cols:].astype(np.float32)
    labels = {}
    with open(y_csv) as fh:
        for row in csv.DictReader(fh):
            labels[int(float(row['id']))] = int(float(row['label']))
    return ids, signal, labels


def glorot_(weight):
    torch.nn.init.xavier_uniform_(weight)  # same fans as Keras for [out, in] and [out, in, k]


class Cnn(torch.nn.Module):
    """Conv1D(valid)[+BatchNorm] + ReLU blocks, MaxPool between blocks, global average pooling, Dense(softmax)."""

    def __init__(self, channels, classes, filters, kernel_sizes, pool_size, batch_norm, bn_momentum):
        super().__init__()
        layers = []
        inputs = channels
        for k, (f, size) in enumerate(zip(filters, kernel_sizes)):
            conv = torch.nn.Conv1d(inputs, f, size, bias=not batch_norm)
            glorot_(conv.weight)
            if conv.bias is not None:
                torch.nn.init.zeros_(conv.bias)
            layers.append(conv)
            if batch_norm:  # Keras: momentum m means moving = m·moving + (1-m)·batch; torch's is 1-m; epsilon 1e-3
                layers.append(torch.nn.BatchNorm1d(f, eps=1e-3, momentum=1 - bn_momentum))
            layers.append(torch.nn.ReLU())
            if k < len(filters) - 1:
                layers.append(torch.nn.MaxPool1d(pool_size))
            inputs = f
        self.body = torch.nn.Sequential(*layers)
        self.out = torch.nn.Linear(inputs, classes)
        glorot_(self.out.weight)
        torch.nn.init.zeros_(self.out.bias)

    def forward(self, x):  # x: [batch, steps, channels] like tfjs
        h = self.body(x.transpose(1, 2))
        return self.out(h.mean(dim=2))  # logits


class Lstm(torch.nn.Module):
    """LSTM(units, tanh, sigmoid, forget bias 1) → Dense(relu) → Dense(softmax)."""

    def __init__(self, channels, classes, units, dense_units, frame):
        super().__init__()
        self.frame = frame
        self.lstm = torch.nn.LSTM(channels * frame, units, batch_first=True)
        glorot_(self.lstm.weight_ih_l0)  # Keras kernel [in, 4u]: fanIn in, fanOut 4u, as torch's [4u, in]
        torch.nn.init.orthogonal_(self.lstm.weight_hh_l0)  # Keras orthogonal on [u, 4u] = transpose of torch's [4u, u]
        with torch.no_grad():
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_hh_l0.zero_()
            self.lstm.bias_ih_l0[units:2 * units] = 1.0  # gate order i, f, g, o in both
        self.dense = torch.nn.Linear(units, dense_units)
        self.out = torch.nn.Linear(dense_units, classes)
        for layer in (self.dense, self.out):
            glorot_(layer.weight)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        if self.frame > 1:  # tfjs: Cropping1D (drop the tail remainder) then Reshape [steps / frame, frame · channels]
            steps = x.shape[1] // self.frame * self.frame
            x = x[:, :steps].reshape(x.shape[0], steps // self.frame, self.frame * x.shape[2])
        _, (h, _) = self.lstm(x)
        return self.out(torch.relu(self.dense(h[-1])))


def balanced_weights(y, classes):
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    return (len(y) / (classes * np.maximum(counts, 1)))[y].astype(np.float32)


def fit_predict(args, x_train, y_train, x_test, classes, seed):
    torch.manual_seed(seed)
    steps_x = lambda x: x[:, ::args.downsample]
    xtr = steps_x(x_train)
    mean = xtr.astype(np.float64).mean()
    std = xtr.astype(np.float64).std()
    std = std if std > 1e-6 else 1.0
    norm = lambda x: torch.from_numpy(((steps_x(x) - mean) / std).astype(np.float32)[:, :, None])
    xt, xv = norm(x_train), norm(x_test)
    yt = torch.from_numpy(y_train.astype(np.int64))
    w = torch.from_numpy(balanced_weights(y_train, classes) if args.class_weight == 'balanced' else np.ones(len(y_train), np.float32))
    if args.model == 'cnn':
        model = Cnn(1, classes, args.filters, args.kernel_sizes, args.pool_size, args.batch_norm, args.bn_momentum)
    else:
        model = Lstm(1, classes, args.units, args.dense_units, args.frame)
    opt = torch.optim.Adam(model.parameters(), lr=args.learning_rate, eps=1e-7)
    n = len(yt)
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(n)
        for start in range(0, n, args.batch_size):
            idx = order[start:start + args.batch_size]
            logits = model(xt[idx])
            loss = (torch.nn.functional.cross_entropy(logits, yt[idx], reduction='none') * w[idx]).sum() / len(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return torch.cat([torch.softmax(model(xv[s:s + 1024]), dim=1) for s in range(0, len(xv), 1024)]).numpy()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', choices=['cnn', 'lstm'], required=True)
    p.add_argument('--preset', choices=['default', 'fast', 'seed', 'seed-fast'], default='default',
                   help='default; fast (lstm: --lstm-fast); seed (the settings before issue 20); seed-fast (lstm: the fast preset before issue 20)')
    p.add_argument('--folds', required=True, help='folds.json of a `pnpm cli train --demo` run')
    p.add_argument('--h5', default='data/demo/X_train.h5')
    p.add_argument('--y-csv', default='data/demo/y_train.csv')
    p.add_argument('--meta-cols', type=int, default=11)
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--threads', type=int, default=1)
    for name in ['epochs', 'batch_size', 'downsample', 'pool_size', 'units', 'dense_units', 'frame']:
        p.add_argument('--' + name.replace('_', '-'), type=int)
    p.add_argument('--learning-rate', type=float)
    p.add_argument('--bn-momentum', type=float, default=0.9, help='Keras convention (moving = m·moving + (1-m)·batch)')
    p.add_argument('--filters', type=lambda s: [int(v) for v in s.split(',')])
    p.add_argument('--kernel-sizes', type=lambda s: [int(v) for v in s.split(',')])
    p.add_argument('--batch-norm', type=int, choices=[0, 1])
    p.add_argument('--class-weight', choices=['none', 'balanced'])
    args = p.parse_args()
    if args.model == 'cnn':
        base = dict(CNN_DEFAULTS, **(CNN_SEED if args.preset == 'seed' else {}))
    else:
        base = dict(LSTM_DEFAULTS, **{'fast': LSTM_FAST, 'seed': LSTM_SEED, 'seed-fast': LSTM_SEED_FAST}.get(args.preset, {}))
    for key, value in base.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    args.batch_norm = bool(args.batch_norm)
    torch.set_num_threads(args.threads)

    ids, signal, labels = read_demo(args.h5, args.y_csv, args.meta_cols)
    folds = json.load(open(args.folds))
    position = {int(i): k for k, i in enumerate(ids)}
    order = np.array([position[int(i)] for i in folds['ids']])
    x = signal[order]
    y = np.array([labels[int(i)] for i in folds['ids']])
    fold = np.array(folds['fold'])
    classes = int(y.max()) + 1
    proba = np.zeros((len(y), classes))
    started = time.time()
    per_fold = []
    for k in sorted(set(fold.tolist())):
        test = fold == k
        proba[test] = fit_predict(args, x[~test], y[~test], x[test], classes, args.seed + k)
        pred = proba[test].argmax(1)
        per_fold.append(dict(fold=k, accuracy=accuracy_score(y[test], pred), balancedAccuracy=balanced_accuracy_score(y[test], pred)))
    pred = proba.argmax(1)
    settings = {k: getattr(args, k) for k in base}
    print(json.dumps(dict(model=args.model, preset=args.preset, settings=settings, rows=len(y), accuracy=round(accuracy_score(y, pred), 4),
                          balancedAccuracy=round(balanced_accuracy_score(y, pred), 4), f1Macro=round(f1_score(y, pred, average='macro'), 4),
                          predictedClasses=np.bincount(pred, minlength=classes).tolist(),
                          folds=[{k: (round(v, 4) if isinstance(v, float) else v) for k, v in f.items()} for f in per_fold],
                          seconds=round(time.time() - started, 1))))


if __name__ == '__main__':
    main()
