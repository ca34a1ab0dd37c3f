# python3 torch_peers.py <model> <nTrain> <timedEpochs> <threads>   models: cnn1d lstm seiz_bilstm seiz_bigru seiz_tcn
# PyTorch CPU peer for the tfjs base models: same shapes, batches and optimizer (Adam 1e-3).
# Copied from /work/shared/bench/torch_peers.py; run with pip's torch 2.13 CPU on `python3` (bench/temporal.mjs).
import json, os, resource, sys, time
import torch
import torch.nn as nn

model_name, N, E, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)


class CNN1D(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Conv1d(1, 32, 7), nn.ReLU(), nn.MaxPool1d(2),
                               nn.Conv1d(32, 64, 5), nn.ReLU(), nn.MaxPool1d(2),
                               nn.Conv1d(64, 128, 3), nn.ReLU())
        self.out = nn.Linear(128, 3)

    def forward(self, x):  # x (B, 1, 1250)
        return self.out(self.f(x).mean(dim=2))  # logits; softmax is inside CrossEntropyLoss


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 64, batch_first=True)
        self.head = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))

    def forward(self, x):  # (B, 250, 1)
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


class SeizureRNN(nn.Module):
    def __init__(self, cell='lstm'):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(19, 32, 7, padding=3), nn.ReLU(),
                                  nn.Conv1d(32, 32, 7, padding=3), nn.ReLU())
        R = nn.LSTM if cell == 'lstm' else nn.GRU
        self.rnn = R(32, 32, batch_first=True, bidirectional=True)
        self.out = nn.Linear(64, 1)

    def forward(self, x):  # (B, 19, T)
        h = self.conv(x).transpose(1, 2)
        h, _ = self.rnn(h)
        return self.out(h).squeeze(-1)  # logits (B, T)


class SeizureTCN(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Conv1d(19, 32, 7, padding=3), nn.ReLU(), nn.Conv1d(32, 32, 7, padding=3), nn.ReLU()]
        for d in (2, 4, 8, 16):
            layers += [nn.Conv1d(32, 32, 3, padding=d, dilation=d), nn.ReLU()]
        self.f = nn.Sequential(*layers)
        self.out = nn.Conv1d(32, 1, 1)  # == TimeDistributed Dense(1)

    def forward(self, x):
        return self.out(self.f(x)).squeeze(1)


SPECS = {
    'cnn1d': (CNN1D, (1, 1250), 'cls3', 64),
    'lstm': (LSTMNet, (250, 1), 'cls3', 32),
    'seiz_bilstm': (lambda: SeizureRNN('lstm'), (19, 2560), 'seq', 8),
    'seiz_bigru': (lambda: SeizureRNN('gru'), (19, 2560), 'seq', 8),
    'seiz_tcn': (SeizureTCN, (19, 2560), 'seq', 8),
}
ctor, xshape, ykind, B = SPECS[model_name]
m = ctor()
opt = torch.optim.Adam(m.parameters(), lr=1e-3)
x = torch.randn(N, *xshape)
if ykind == 'cls3':
    y = torch.randint(0, 3, (N,))
    lossf = nn.CrossEntropyLoss()
else:
    y = (torch.rand(N, 2560) > 0.9).float()
    lossf = nn.BCEWithLogitsLoss()


def epoch():
    m.train()
    tot = 0.0
    for i in range(0, N, B):
        opt.zero_grad()
        loss = lossf(m(x[i:i + B]), y[i:i + B])
        loss.backward()
        opt.step()
        tot += loss.item()
    return tot


res = dict(model=model_name, torch=torch.__version__, threads=torch.get_num_threads(), batch=B, nTrain=N,
           timedEpochs=E, params=sum(p.numel() for p in m.parameters()))
t = time.perf_counter(); epoch(); res['warmupEpochS'] = round(time.perf_counter() - t, 2)
t = time.perf_counter(); c = time.process_time()
for _ in range(E):
    epoch()
dt = time.perf_counter() - t; dc = time.process_time() - c
res.update(trainS=round(dt, 2), trainCpuS=round(dc, 2), trainSps=round(N * E / dt, 2), trainSpsPerCpuS=round(N * E / dc, 2))
m.eval()
with torch.inference_mode():
    m(x[:B])
    t = time.perf_counter(); c = time.process_time()
    for i in range(0, N, B):
        m(x[i:i + B])
    dt = time.perf_counter() - t; dc = time.process_time() - c
res.update(predictS=round(dt, 2), predictCpuS=round(dc, 2), predictSps=round(N / dt, 2), predictSpsPerCpuS=round(N / dc, 2))
res['peakRssMB'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
res['loadavg'] = [round(v, 2) for v in os.getloadavg()]
print('RESULT ' + json.dumps(res))
