#!/usr/bin/env python3
"""Golden pruning scores for PruningScoreTests, computed with PyTorch the canonical way.

A small instance of DIP's hourglass (5 scales of 8 channels, skips of 4, 4 input
channels; the module tree of DIP's `skip()`, so the state_dict keys are the Swift
network's) gets a fixed θ0 with non-trivial batch-norm parameters and running statistics.
On a 64x64 input z and target y, with the data term MSE(f(z), y):

- SNIP: |∂L/∂w ⊙ w| (Lee et al. 2019), batch norm in training mode (as DIP trains);
- GraSP: w ⊙ (H g) with g = ∂L/∂w held fixed and an exact Hessian-vector product (double
  backward), as Synaptic-Flow's GraSP scores it (it keeps the highest w ⊙ Hg, i.e. removes
  the highest GraSP scores −w ⊙ Hg; no temperature: the output is an image, not logits);
- SynFlow: every state_dict entry replaced by its absolute value (weights, biases, BN
  scales and shifts, running statistics), batch norm in eval mode, an all-ones input,
  R = the sum of the output *before* the final sigmoid (the sigmoid saturates on the
  linearised network, so R through it has no gradient), score |∂R/∂w ⊙ w|
  (Tanaka et al. 2020, Synaptic-Flow's `SynFlow.score`).

Writes pruning-scores.safetensors: θ0 (the state_dict), `input.z`, `input.target`, and
`snip.<key>`, `grasp.<key>`, `synflow.<key>` for every convolution weight.
Run from this folder: python3 make-pruning-score-fixtures.py (PyTorch, numpy)."""
import json
import struct

import numpy as np
import torch
from torch import nn


class Concat(nn.Module):
    """DIP's channel concat of branch outputs, centre-cropped to the smallest size."""

    def __init__(self, *branches):
        super().__init__()
        for i, branch in enumerate(branches):
            self.add_module(str(i), branch)

    def forward(self, x):
        outputs = [branch(x) for branch in self._modules.values()]
        h = min(o.shape[2] for o in outputs)
        w = min(o.shape[3] for o in outputs)
        cropped = []
        for o in outputs:
            dh, dw = (o.shape[2] - h) // 2, (o.shape[3] - w) // 2
            cropped.append(o[:, :, dh:dh + h, dw:dw + w])
        return torch.cat(cropped, dim=1)


def seq(*modules):
    s = nn.Sequential()
    for m in modules:
        s.add_module(str(len(s)), m)
    return s


def conv(cin, cout, k, stride=1):
    return seq(nn.ReflectionPad2d((k - 1) // 2), nn.Conv2d(cin, cout, k, stride, padding=0, bias=True))


def add(container, module):
    """DIP's `Module.add`: children appended with 1-based names."""
    container.add_module(str(len(container) + 1), module)


def hourglass(cin=4, cout=3, down=(8,) * 5, up=(8,) * 5, skip=(4,) * 5):
    """The module tree of DIP's skip() with reflection padding, bilinear upsampling,
    LeakyReLU(0.2), 1x1 convolutions after each up block and a final sigmoid."""
    model = nn.Sequential()
    current, depth, last = model, cin, len(down) - 1
    for i in range(len(down)):
        deeper, branch = nn.Sequential(), nn.Sequential()
        add(current, Concat(branch, deeper))
        add(current, nn.BatchNorm2d(skip[i] + (up[i + 1] if i < last else down[i])))
        for m in (conv(depth, skip[i], 1), nn.BatchNorm2d(skip[i]), nn.LeakyReLU(0.2)):
            add(branch, m)
        for m in (conv(depth, down[i], 3, 2), nn.BatchNorm2d(down[i]), nn.LeakyReLU(0.2),
                  conv(down[i], down[i], 3), nn.BatchNorm2d(down[i]), nn.LeakyReLU(0.2)):
            add(deeper, m)
        main = nn.Sequential()
        if i < last:
            add(deeper, main)
        add(deeper, nn.Upsample(scale_factor=2, mode="bilinear"))
        k = down[i] if i == last else up[i + 1]
        for m in (conv(skip[i] + k, up[i], 3), nn.BatchNorm2d(up[i]), nn.LeakyReLU(0.2),
                  conv(up[i], up[i], 1), nn.BatchNorm2d(up[i]), nn.LeakyReLU(0.2)):
            add(current, m)
        depth, current = down[i], main
    add(model, conv(up[0], cout, 1))
    add(model, nn.Sigmoid())
    return model


def convolution_weights(model):
    return [(name, p) for name, p in model.named_parameters() if name.endswith("weight") and p.dim() == 4]


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        array = np.array(array, order="C")  # keeps 0-d scalars 0-d
        dtype = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[array.dtype]
        data = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    header["__metadata__"] = {"format": "lip-pruning-score-fixture/1", "torch": torch.__version__}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


torch.manual_seed(2026)
model = hourglass()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.copy_(torch.empty_like(m.weight).uniform_(0.5, 1.5) * torch.sign(torch.randn_like(m.weight)))
            m.bias.normal_(0, 0.1)
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
theta0 = {k: v.detach().clone() for k, v in model.state_dict().items()}
z = torch.rand(1, 4, 64, 64) * 0.1
target = torch.rand(1, 3, 64, 64)
weights = convolution_weights(model)

# SNIP
model.train()
loss = ((model(z) - target) ** 2).mean()
grads = torch.autograd.grad(loss, [p for _, p in weights])
snip = {name: (g * p).abs().detach() for (name, p), g in zip(weights, grads)}

# GraSP: Hg by double backward along the stopped gradient.
model.load_state_dict(theta0)
loss = ((model(z) - target) ** 2).mean()
stopped = [g.detach() for g in torch.autograd.grad(loss, [p for _, p in weights])]
model.load_state_dict(theta0)
loss = ((model(z) - target) ** 2).mean()
grads = torch.autograd.grad(loss, [p for _, p in weights], create_graph=True)
hessian_gradient = torch.autograd.grad(sum((g * s).sum() for g, s in zip(grads, stopped)), [p for _, p in weights])
grasp = {name: (hg * p).detach() for (name, p), hg in zip(weights, hessian_gradient)}

# SynFlow
model.load_state_dict(theta0)
model.eval()
with torch.no_grad():
    for value in model.state_dict().values():
        if value.is_floating_point():
            value.abs_()
body = nn.Sequential(*list(model.children())[:-1])  # without the final sigmoid
r = body(torch.ones(1, 4, 64, 64)).sum()
grads = torch.autograd.grad(r, [p for _, p in weights])
synflow = {name: (g * p).abs().detach() for (name, p), g in zip(weights, grads)}

tensors = {k: v.numpy() for k, v in theta0.items()}
tensors["input.z"] = z.numpy()
tensors["input.target"] = target.numpy()
for prefix, scores in (("snip", snip), ("grasp", grasp), ("synflow", synflow)):
    for name, value in scores.items():
        tensors[f"{prefix}.{name}"] = value.numpy().astype(np.float32)
write_safetensors("pruning-scores.safetensors", tensors)
print(f"{len(weights)} convolutions, {sum(p.numel() for _, p in weights)} weights; torch {torch.__version__}")
