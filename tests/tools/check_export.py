#!/usr/bin/env python3
"""Independent check of a TernLab npz export: recomputes every ternary layer's weight codes from the
exported latent weights by the scheme's formula, written here from the papers and not from TernLab's
C++ code, and compares them with the exported codes (what the training graph used).

Standard library only. float32 arithmetic is reproduced exactly: each +, -, *, / of two float32 values
is done in double and rounded to float32, which gives the correctly rounded float32 result.

Usage: check_export.py FILE.npz [--verbose]      exit 0: all codes reproduced, 1: a mismatch, 2: bad file
"""
import ast
import json
import math
import struct
import sys
import zipfile
from array import array

DTYPES = {"<f4": "f", "<f8": "d", "|i1": "b", "<i8": "q", "<i4": "i"}


def f32(x):
    """Rounds a Python float (double) to the nearest float32."""
    return struct.unpack("f", struct.pack("f", x))[0]


def read_npy(blob, name):
    if blob[:6] != b"\x93NUMPY":
        raise ValueError(f"{name}: not an .npy member")
    major = blob[6]
    hlen = struct.unpack("<H" if major == 1 else "<I", blob[8:10] if major == 1 else blob[8:12])[0]
    start = 10 if major == 1 else 12
    header = ast.literal_eval(blob[start:start + hlen].decode("latin1"))
    code = DTYPES.get(header["descr"])
    if code is None:
        raise ValueError(f"{name}: dtype {header['descr']} not handled")
    data = array(code)
    data.frombytes(blob[start + hlen:])
    return data, tuple(header["shape"])


def load(path):
    members, manifest = {}, None
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            blob = z.read(info.filename)
            if info.filename == "manifest.json":
                manifest = json.loads(blob)
            elif info.filename.endswith(".npy"):
                members[info.filename[:-4]] = read_npy(blob, info.filename)
    if manifest is None:
        raise ValueError(f"{path}: no manifest.json")
    return members, manifest


def scalar(members, key):
    data, _ = members[key]
    return data[0]


def find_param(members, layer, name):
    """The learned quantizer parameter `name` of the layer's weight quantizer (plain or inside eq. 9)."""
    for key in (f"state/{layer}.wq.{name}", f"state/{layer}.wq.inner.{name}"):
        if key in members:
            return scalar(members, key)
    raise KeyError(f"{layer}: no weight-quantizer parameter '{name}' in the export")


def sign(x):
    return (x > 0) - (x < 0)


def normalised(w, uniform):
    """Eq. 9 of the asymmetric paper as the forward computes it: gamma * (w*k + shift), in float32."""
    if not uniform:
        return list(w)
    k, shift, gamma = f32(uniform["k"]), f32(uniform["shift"]), f32(uniform["gamma"])
    return [f32(gamma * f32(f32(x * k) + shift)) for x in w]


def expected_codes(scheme, spec, w, members, layer, branch, uniform):
    """Codes by the paper's formula. Returns (codes, thresholds) with thresholds in the units compared."""
    factor = spec.get("factor", 0.0)
    if spec.get("branches", 1) > 1 and spec.get("betas"):  # REL eq. 5: branch b uses the threshold factor β_b
        factor = spec["betas"][branch]
    if scheme == "twn":  # TWN: Δ = factor·E|W|, code = sign(W)·[|W| > Δ]
        delta = f32(factor * (math.fsum(abs(x) for x in w) / len(w)))
        return [sign(x) * (abs(x) > delta) for x in w], (delta,)
    if scheme == "ics":  # He et al. eq. 1 (REL eq. 5: one β per branch): Δ = β·max|W|, code = sign·[|W| ≥ Δ]
        delta = f32(factor * max(abs(x) for x in w))
        return [sign(x) * (abs(x) >= delta) for x in w], (delta,)
    if scheme == "ttq":  # TTQ: Δ = t·max|W|, code = +1 for W > Δ, −1 for W < −Δ
        delta = f32(factor * max(abs(x) for x in w))
        return [(x > delta) - (x < -delta) for x in w], (delta,)
    z = normalised(w, uniform)
    if scheme == "asym":  # asymmetric paper eq. 8: z ≥ Δp → +1, z ≤ Δn → −1 (symmetric option: Δn = −Δp)
        tp = find_param(members, layer, "t1")
        tn = -tp if spec.get("options", {}).get("symmetric", 0) else find_param(members, layer, "t2")
        return [(x >= tp) - (x <= tn) for x in z], (tp, tn)
    if scheme == "lsq":  # LSQ, three levels: code = round(clip(z/s, −1, 1)), ties to even
        s = find_param(members, layer, "s")
        return [round(min(1.0, max(-1.0, f32(x / s)))) for x in z], (s / 2, -s / 2)
    if scheme == "fatnn":  # FATNN: code = round(clip(a0·z, −1, 0)) + round(clip(a1·z, 0, 1))
        a0, a1 = find_param(members, layer, "a0"), find_param(members, layer, "a1")
        return [round(min(0.0, max(-1.0, f32(x * a0)))) + round(min(1.0, max(0.0, f32(x * a1)))) for x in z], (
            0.5 / a1, -0.5 / a0)
    raise ValueError(f"{layer}: scheme '{scheme}' has no formula in this checker")


def check(path, verbose=False):
    members, manifest = load(path)
    failures, checked = 0, 0
    for layer in manifest["layers"]:
        if not layer.get("ternary"):
            continue
        name, spec = layer["name"], layer["weight"]
        w, _ = members[f"{name}/weight"]
        for b, _ in enumerate(layer["arrays"].get("branches", [])):
            codes, _ = members[f"{name}/codes_b{b}"]
            want, thr = expected_codes(spec["scheme"], spec, w, members, name, b, layer.get("uniform"))
            bad = sum(1 for c, e in zip(codes, want) if c != e)
            if spec["scheme"] == "twn" and bad:
                # E|W| is a float32 reduction whose summation order TernLab does not fix: a weight within
                # float rounding of Δ may legitimately fall either way. Only farther ones count.
                bad = sum(1 for x, c, e in zip(w, codes, want) if c != e and abs(abs(x) - thr[0]) > 1e-6 * thr[0])
            checked += 1
            density = sum(1 for c in codes if c) / len(codes)
            if verbose or bad:
                print(f"{name} branch {b}: {spec['scheme']:<6} {len(codes):>7} codes, density {density:.3f}, "
                      f"thresholds {', '.join(f'{t:.6g}' for t in thr)}: "
                      + ("all reproduced" if not bad else f"{bad} MISMATCHES"))
            failures += bad > 0
    if checked == 0:
        print(f"{path}: no ternary layer to check")
        return 1
    print(f"{path}: {checked} ternary weight tensors, {failures} with mismatching codes")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    try:
        sys.exit(check(sys.argv[1], "--verbose" in sys.argv[2:]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
