"""The original RMVPE network (RVC's E2E(4, 1, (2,2)), written from spec/rvc-inference.md 6.5) in
PyTorch, timed on the same random full-size weights as build/bin/bench_f0, so that the original's
time and ours are measured on the same machine at the same moment:

    build/bin/bench_f0                         # writes /tmp/rvc_bench_rmvpe_random.pt
    /usr/bin/python3 benchmarks/rmvpe_pytorch.py /tmp/rvc_bench_rmvpe_random.pt

It loads the file with a strict load_state_dict, so it also shows that what rvc writes loads back
in PyTorch. Prints the network time for 1024 frames (10 s of audio), CPU, 2 threads.
"""
import sys
import time

import torch, torch.nn as nn
torch.set_num_threads(2)

class ConvBlockRes(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(i, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o, momentum=0.01), nn.ReLU(),
                                  nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o, momentum=0.01), nn.ReLU())
        self.is_shortcut = i != o
        if self.is_shortcut: self.shortcut = nn.Conv2d(i, o, 1)
    def forward(self, x):
        return self.conv(x) + (self.shortcut(x) if self.is_shortcut else x)

class Stack(nn.Module):
    def __init__(self, i, o, n, pool):
        super().__init__()
        self.conv = nn.ModuleList([ConvBlockRes(i, o)] + [ConvBlockRes(o, o) for _ in range(n - 1)])
        self.pool = nn.AvgPool2d(2) if pool else None
    def forward(self, x):
        for c in self.conv: x = c(x)
        return (x, self.pool(x)) if self.pool is not None else x

class Dec(nn.Module):
    def __init__(self, i, o, n):
        super().__init__()
        self.conv1 = nn.Sequential(nn.ConvTranspose2d(i, o, 3, 2, 1, 1, bias=False), nn.BatchNorm2d(o, momentum=0.01), nn.ReLU())
        self.conv2 = nn.ModuleList([ConvBlockRes(o * 2, o)] + [ConvBlockRes(o, o) for _ in range(n - 1)])
    def forward(self, x, s):
        x = torch.cat((self.conv1(x), s), 1)
        for c in self.conv2: x = c(x)
        return x

class Holder(nn.Module): pass

class E2E(nn.Module):
    def __init__(self, n=4, base=16, levels=5, inter=4):
        super().__init__()
        self.unet = Holder(); enc = Holder(); enc.bn = nn.BatchNorm2d(1, momentum=0.01)
        layers, c, i = [], base, 1
        for l in range(levels): layers.append(Stack(i, c, n, True)); i = c; c *= 2
        enc.layers = nn.ModuleList(layers); self.unet.encoder = enc
        im = Holder(); im.layers = nn.ModuleList([Stack(c // 2, c, n, False)] + [Stack(c, c, n, False) for _ in range(inter - 1)]); self.unet.intermediate = im
        de = Holder(); dl = []
        for l in range(levels): dl.append(Dec(c, c // 2, n)); c //= 2
        de.layers = nn.ModuleList(dl); self.unet.decoder = de
        self.cnn = nn.Conv2d(base, 3, 3, padding=1)
        g = Holder(); g.gru = nn.GRU(384, 256, 1, batch_first=True, bidirectional=True)
        self.fc = nn.Sequential(g, nn.Linear(512, 360), nn.Dropout(0.25), nn.Sigmoid())
    def forward(self, mel):
        x = mel.transpose(-1, -2).unsqueeze(1)
        x = self.unet.encoder.bn(x); skips = []
        for l in self.unet.encoder.layers: t, x = l(x); skips.append(t)
        for l in self.unet.intermediate.layers: x = l(x)
        for i, l in enumerate(self.unet.decoder.layers): x = l(x, skips[-1 - i])
        x = self.cnn(x).transpose(1, 2).flatten(-2)
        x = self.fc[0].gru(x)[0]
        return torch.sigmoid(self.fc[1](x))

m = E2E()
m.load_state_dict(torch.load(sys.argv[1]))
m = m.float().eval()
mel = torch.randn(1, 128, 1024)
with torch.no_grad():
    m(mel)
    for r in range(3):
        t = time.time(); m(mel); print(f"pytorch E2E forward T=1024: {time.time()-t:.3f} s")
