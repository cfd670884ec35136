#!/usr/bin/python3
"""Checks one ONNX export against the training graph, independently of TernLab's C++ code.

  check_onnx.py MODEL.onnx PREDICTIONS.npz NODE_SCRIPT [--max-differ K] [--label L]

1. onnx.checker (full check, with shape inference) accepts the model; opset >= 13; metadata names the run.
2. Every ternary weight is an int8 initializer with codes in {-1, 0, 1} behind a DequantizeLinear.
3. ONNX Runtime (through NODE_SCRIPT, default and disabled graph optimisations) predicts the graph's
   `predicted` on the graph's `pixels`; at most K images may differ (each one listed).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("predictions")
ap.add_argument("node_script")
ap.add_argument("--max-differ", type=int, default=0)
ap.add_argument("--label", default="")
args = ap.parse_args()
label = args.label or os.path.basename(args.model)

model = onnx.load(args.model)
onnx.checker.check_model(model, full_check=True)
opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
assert opset >= 13, f"{label}: opset {opset} < 13"
meta = {p.key: p.value for p in model.metadata_props}
for key in ("ternlab.run_id", "ternlab.uuid", "ternlab.arch", "ternlab.experiment"):
    assert key in meta and meta[key], f"{label}: metadata {key} missing"

inits = {t.name: t for t in model.graph.initializer}
dq_inputs = {n.input[0] for n in model.graph.node if n.op_type == "DequantizeLinear"}
codes = [n for n in inits if ".codes" in n]
for name in codes:
    t = inits[name]
    assert t.data_type == onnx.TensorProto.INT8, f"{label}: {name} is not int8"
    v = numpy_helper.to_array(t)
    assert set(np.unique(v).tolist()) <= {-1, 0, 1}, f"{label}: {name} holds values outside -1, 0, 1"
    assert name in dq_inputs, f"{label}: {name} does not feed a DequantizeLinear"

p = np.load(args.predictions)
pixels, want = p["pixels"].astype(np.float32), p["predicted"].astype(np.int64)
n, c, h, w = pixels.shape
ops = sorted({node.op_type for node in model.graph.node})
with tempfile.TemporaryDirectory() as tmp:
    raw = os.path.join(tmp, "pixels.f32")
    pixels.tofile(raw)
    for level in ("all", "disabled"):
        out = subprocess.run(["node", args.node_script, args.model, raw, str(n), str(c), str(h), str(w), level],
                             check=True, capture_output=True, text=True)
        got = np.array(json.loads(out.stdout)["predicted"], dtype=np.int64)
        differ = np.nonzero(got != want)[0]
        acc = 100.0 * float((got == p["labels"]).mean())
        print(f"{label}: ONNX Runtime ({level} optimisations) {n - len(differ)}/{n} predictions identical to the "
              f"training graph, accuracy {acc:.2f}%; {len(codes)} int8 code tensors; ops {', '.join(ops)}")
        for i in differ[:20]:
            print(f"  image {i}: graph {want[i]}, ONNX Runtime {got[i]}, logits {p['logits'][i].round(4).tolist()}")
        if len(differ) > args.max_differ:
            sys.exit(f"{label}: {len(differ)} predictions differ (at most {args.max_differ} allowed)")
