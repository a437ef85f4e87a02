#!/usr/bin/env python3
"""Trains the shipped model: a small Llama (RMSNorm, rotary positions, SwiGLU, grouped-query
attention, tied embeddings) on the token ids written by prepare.ts. Offline tool only: building,
running and testing the project never need Python.

    /usr/bin/python3 tools/train/train.py --data .cache/train --steps 2400 --seed 1   (or --minutes 40)

Writes weights.bin (float32, PyTorch layouts) + weights.json (names, shapes, offsets, config,
final loss, training time) and probe.json (logits for a fixed input, to check the ONNX export).
The rotary convention (first half / second half of each head), the grouped-query head order
(query head h reads key-value head h // group) and the tied head match tools/modelgen/llama.ts.
"""
import argparse, json, math, os, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(max_pos, hd, theta):
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    ang = torch.arange(max_pos, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x, cos, sin):  # x [B, H, S, hd], cos/sin [S, hd/2]
    a, b = x.chunk(2, dim=-1)
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv, hd, f = c['hidden_size'], c['num_heads'], c['num_kv_heads'], c['head_dim'], c['intermediate_size']
        self.h, self.kv, self.hd = h, kv, hd
        self.input_layernorm = RMSNorm(d, c['rms_norm_eps'])
        self.q_proj = nn.Linear(d, h * hd, bias=False)
        self.k_proj = nn.Linear(d, kv * hd, bias=False)
        self.v_proj = nn.Linear(d, kv * hd, bias=False)
        self.o_proj = nn.Linear(h * hd, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, c['rms_norm_eps'])
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, S, _ = x.shape
        y = self.input_layernorm(x)
        q = self.q_proj(y).view(B, S, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(y).view(B, S, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(y).view(B, S, self.kv, self.hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        g = self.h // self.kv
        k = k.repeat_interleave(g, dim=1)
        v = v.repeat_interleave(g, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        out = att.softmax(-1) @ v
        x = x + self.o_proj(out.transpose(1, 2).reshape(B, S, -1))
        y = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c['vocab_size'], c['hidden_size'])
        self.layers = nn.ModuleList([Block(c) for _ in range(c['num_layers'])])
        self.norm = RMSNorm(c['hidden_size'], c['rms_norm_eps'])
        cos, sin = rope_tables(c['max_positions'], c['head_dim'], c['rope_theta'])
        self.register_buffer('cos', cos, persistent=False)
        self.register_buffer('sin', sin, persistent=False)
        nn.init.normal_(self.embed_tokens.weight, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
        for b in self.layers:  # scaled residual projections, as GPT-2 does
            nn.init.normal_(b.o_proj.weight, std=0.02 / math.sqrt(2 * c['num_layers']))
            nn.init.normal_(b.down_proj.weight, std=0.02 / math.sqrt(2 * c['num_layers']))

    def forward(self, ids):
        S = ids.shape[1]
        mask = torch.full((S, S), -1e9).triu(1)
        x = self.embed_tokens(ids)
        cos, sin = self.cos[:S], self.sin[:S]
        for b in self.layers:
            x = b(x, cos, sin, mask)
        return self.norm(x) @ self.embed_tokens.weight.t()  # tied head


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--minutes', type=float, default=45)
    ap.add_argument('--steps', type=int, default=0, help='train exactly this many steps (the schedule follows steps); 0: use --minutes')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--seq', type=int, default=128)
    ap.add_argument('--lr', type=float, default=3e-3)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(int(os.environ.get('TRAIN_THREADS', '2')))
    meta = json.load(open(os.path.join(a.data, 'meta.json')))
    c = meta['model']
    ids = np.fromfile(os.path.join(a.data, 'train.bin'), dtype=np.uint16).astype(np.int64)
    val = np.fromfile(os.path.join(a.data, 'val.bin'), dtype=np.uint16).astype(np.int64)
    model = Llama(c)
    n_params = sum(p.numel() for p in model.parameters())
    print(f'params {n_params}, train tokens {len(ids)}, val tokens {len(val)}', flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}], lr=a.lr, betas=(0.9, 0.95))
    rng = np.random.default_rng(a.seed)

    def batch(src, n):
        starts = rng.integers(0, len(src) - a.seq - 1, size=n)
        x = np.stack([src[s:s + a.seq + 1] for s in starts])
        return torch.from_numpy(x[:, :-1]), torch.from_numpy(x[:, 1:])

    budget = a.minutes * 60
    t0 = time.time()
    # The schedule is laid out over the time budget: warm-up, then cosine to 10% of the peak.
    # With --steps the run is the same on any machine; with --minutes it fits a time budget.
    step, loss_ema = 0, None
    while True:
        frac = step / a.steps if a.steps else (time.time() - t0) / budget
        if frac >= 1:
            break
        lr = a.lr * min(1.0, (step + 1) / 200) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
        for gr in opt.param_groups:
            gr['lr'] = lr
        x, y = batch(ids, a.batch)
        loss = F.cross_entropy(model(x).reshape(-1, c['vocab_size']), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss_ema = loss.item() if loss_ema is None else 0.98 * loss_ema + 0.02 * loss.item()
        step += 1
        if step % 100 == 0:
            el = time.time() - t0
            print(f'step {step} loss {loss_ema:.4f} lr {lr:.2e} {step * a.batch * a.seq / el:.0f} tok/s {el / 60:.1f} min', flush=True)
    train_s = time.time() - t0
    model.eval()
    with torch.no_grad():
        vl = []
        for _ in range(20):
            x, y = batch(val, a.batch)
            vl.append(F.cross_entropy(model(x).reshape(-1, c['vocab_size']), y.reshape(-1)).item())
        val_loss = float(np.mean(vl))
        probe = torch.from_numpy(val[:32][None, :])
        probe_logits = model(probe)[0]
    print(f'done: {step} steps in {train_s / 60:.1f} min, train loss {loss_ema:.4f}, val loss {val_loss:.4f}', flush=True)

    tensors, offset, blobs = [], 0, []
    for name, p in model.state_dict().items():
        arr = p.detach().float().contiguous().numpy()
        tensors.append({'name': name, 'shape': list(arr.shape), 'offset': offset})
        blobs.append(arr.tobytes())
        offset += arr.nbytes
    with open(os.path.join(a.data, 'weights.bin'), 'wb') as f:
        for b in blobs:
            f.write(b)
    json.dump({'config': c, 'tensors': tensors, 'params': n_params, 'steps': step, 'train_seconds': round(train_s), 'train_loss': loss_ema,
               'val_loss': val_loss, 'seed': a.seed, 'threads': torch.get_num_threads(), 'batch': a.batch, 'seq': a.seq, 'torch': torch.__version__},
              open(os.path.join(a.data, 'weights.json'), 'w'), indent=1)
    json.dump({'ids': val[:32].tolist(), 'logits_last': probe_logits[-1].tolist(), 'logits_first': probe_logits[0].tolist()},
              open(os.path.join(a.data, 'probe.json'), 'w'))


if __name__ == '__main__':
    main()
