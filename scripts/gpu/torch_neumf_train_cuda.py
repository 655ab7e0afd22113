"""(ncf's copy of reference/pytorch/torch_neumf_train.py, changed only to run on CUDA: the model and
each epoch's instances live on the GPU, the loss is summed there and read once per epoch, and the
learning rate is an argument.)
Reference: NeuMF trained in PyTorch on the CPU, He et al. protocol, HR@10/NDCG@10 per epoch.

Reads He et al.'s NCF-format files (train.rating, test.rating, test.negative). Paper defaults:
GMF 8, MLP [64,32,16,8], N(0,0.01) embeddings, Adam lr 0.001, batch 256, 4 negatives per positive
drawn each epoch from items the user has not interacted with in training.
Prints one line per epoch: epoch, train seconds, samples/s, loss, HR@10, NDCG@10.
Usage: /usr/bin/python3 torch_neumf_train.py DATA_DIR [epochs] [threads] [batch]
"""
import sys, time, math
import numpy as np
import torch
import torch.nn as nn

d = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 256
lr = float(sys.argv[5]) if len(sys.argv) > 5 else 0.001
dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.set_num_threads(threads)
torch.manual_seed(0)
rng = np.random.default_rng(0)

tr = np.loadtxt(f"{d}/ml-1m.train.rating", dtype=np.int64, usecols=(0, 1))
U, I = int(tr[:, 0].max()) + 1, int(tr[:, 1].max()) + 1
test = np.loadtxt(f"{d}/ml-1m.test.rating", dtype=np.int64, usecols=(0, 1))
U, I = max(U, int(test[:, 0].max()) + 1), max(I, int(test[:, 1].max()) + 1)
negs = []
for line in open(f"{d}/ml-1m.test.negative"):
    negs.append([int(x) for x in line.split("\t")[1:]])
cand = np.concatenate([test[:, 1:2], np.array(negs, dtype=np.int64)], axis=1)  # (U, 100), col 0 = positive
seen = set((int(u) * I + int(i)) for u, i in tr)
G, layers = 8, [64, 32, 16, 8]

class NeuMF(nn.Module):
    def __init__(self):
        super().__init__()
        E = layers[0] // 2
        self.gu, self.gi = nn.Embedding(U, G), nn.Embedding(I, G)
        self.mu, self.mi = nn.Embedding(U, E), nn.Embedding(I, E)
        for e in (self.gu, self.gi, self.mu, self.mi):
            nn.init.normal_(e.weight, std=0.01)
        mlp = []
        for a, b in zip(layers[:-1], layers[1:]):
            mlp += [nn.Linear(a, b), nn.ReLU()]
        self.mlp = nn.Sequential(*mlp)
        self.out = nn.Linear(G + layers[-1], 1)

    def forward(self, u, i):
        g = self.gu(u) * self.gi(i)
        m = self.mlp(torch.cat([self.mu(u), self.mi(i)], dim=1))
        return self.out(torch.cat([g, m], dim=1)).view(-1)

model = NeuMF().to(dev)
opt = torch.optim.Adam(model.parameters(), lr=lr)
lossf = nn.BCEWithLogitsLoss()

def instances():
    n = len(tr)
    users = np.repeat(tr[:, 0], 5)
    items = np.empty(n * 5, dtype=np.int64)
    labels = np.zeros(n * 5, dtype=np.float32)
    items[0::5] = tr[:, 1]
    labels[0::5] = 1
    neg = rng.integers(0, I, size=n * 4)
    nu = np.repeat(tr[:, 0], 4)
    bad = np.fromiter((int(u) * I + int(j) in seen for u, j in zip(nu, neg)), bool, len(neg))
    while bad.any():
        neg[bad] = rng.integers(0, I, size=int(bad.sum()))
        bad[bad] = np.fromiter((int(u) * I + int(j) in seen for u, j in zip(nu[bad], neg[bad])), bool, int(bad.sum()))
    for k in range(4):
        items[k + 1::5] = neg[k::4]
    p = rng.permutation(n * 5)
    return torch.from_numpy(users[p]).to(dev), torch.from_numpy(items[p]).to(dev), torch.from_numpy(labels[p]).to(dev)

def evaluate():
    model.eval()
    with torch.no_grad():
        uu = torch.from_numpy(np.repeat(test[:, 0], 100)).to(dev)
        ii = torch.from_numpy(cand.reshape(-1)).to(dev)
        s = model(uu, ii).view(-1, 100)
        rank = (s[:, 1:] >= s[:, :1]).sum(1).cpu().numpy()  # ties count against the positive
    model.train()
    hit = rank < 10
    return hit.mean(), np.where(hit, 1.0 / np.log2(rank + 2), 0.0).mean()

print(f"torch {torch.__version__} device {dev} threads {threads} batch {batch} lr {lr} users {U} items {I} train {len(tr)}", flush=True)
total = 0.0
for ep in range(1, epochs + 1):
    t_s = time.perf_counter()
    u, i, y = instances()
    t0 = time.perf_counter()
    acc, nb = torch.zeros((), device=dev), 0
    for k in range(0, len(y), batch):
        opt.zero_grad()
        loss = lossf(model(u[k:k + batch], i[k:k + batch]), y[k:k + batch])
        loss.backward()
        opt.step()
        acc += loss.detach(); nb += 1
    acc = float(acc)  # one device sync per epoch
    t1 = time.perf_counter()
    hr, ndcg = evaluate()
    total += t1 - t0
    print(f"epoch {ep} sample_s {t0 - t_s:.1f} train_s {t1 - t0:.1f} samples/s {len(y) / (t1 - t0):.0f} loss {acc / nb:.4f} HR@10 {hr:.4f} NDCG@10 {ndcg:.4f} cum_train_s {total:.0f}", flush=True)
