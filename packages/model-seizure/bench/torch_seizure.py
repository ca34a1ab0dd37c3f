# /usr/bin/env python3 torch_seizure.py <nTrain> <timedEpochs> <threads> [samples] [filters] [pool]
# PyTorch CPU peer of @pipeline/model-seizure's network, same shapes: input (B, 19, samples),
# Conv1d(19→F, 7, same) + ReLU → MaxPool(pool) → 6 residual blocks x + ReLU(Conv1d(F→F, 3, dilation d, same))
# with d = 1, 2, 4, 8, 16, 32 → Conv1d(F→1, 1) (= the per-step Dense head) → repeat each step `pool` times.
# BCE with logits, AdamW (lr 1e-3, weight decay 1e-2), global-norm clipping at 1, batch 8.
import json, os, resource, sys, time
import torch
import torch.nn as nn

N, E, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
T = int(sys.argv[4]) if len(sys.argv) > 4 else 15360
F = int(sys.argv[5]) if len(sys.argv) > 5 else 32
P = int(sys.argv[6]) if len(sys.argv) > 6 else 4
B = 8
torch.set_num_threads(threads)
torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.conv = nn.Conv1d(F, F, 3, padding=d, dilation=d)

    def forward(self, x):
        return x + torch.relu(self.conv(x))


class SeizureNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv1d(19, F, 7, padding=3)
        self.pool = nn.MaxPool1d(P) if P > 1 else nn.Identity()
        self.blocks = nn.Sequential(*[Block(d) for d in (1, 2, 4, 8, 16, 32)])
        self.head = nn.Conv1d(F, 1, 1)

    def forward(self, x):
        h = self.blocks(self.pool(torch.relu(self.stem(x))))
        return torch.repeat_interleave(self.head(h).squeeze(1), P, dim=1)  # logits (B, T)


m = SeizureNet()
opt = torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=1e-2)
lossf = nn.BCEWithLogitsLoss()
x = torch.randn(N, 19, T)
y = (torch.rand(N, T) > 0.9).float()


def epoch():
    m.train()
    for i in range(0, N, B):
        opt.zero_grad()
        loss = lossf(m(x[i:i + B]), y[i:i + B])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()


res = dict(torch=torch.__version__, threads=torch.get_num_threads(), batch=B, nTrain=N, timedEpochs=E, samples=T, filters=F, pool=P,
           params=sum(p.numel() for p in m.parameters()))
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
