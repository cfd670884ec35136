#!/usr/bin/env python3
"""Writes experiments/cifar10/: the CIFAR-10 twin of every Fashion-MNIST preset and sweep.

A twin differs only in its name (fmnist- -> cifar10-) and dataset (cifar10, pad-4 crop + flip augmentation);
sweeps point at the twin of their base. Run it after changing a preset; tests check that the twins are in sync.
"""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent / "experiments"
out = root / "cifar10"
out.mkdir(exist_ok=True)


def twin_name(name: str) -> str:
    return "cifar10-" + name[len("fmnist-"):] if name.startswith("fmnist-") else "cifar10-" + name


for src in sorted(root.glob("*.json")):
    doc = json.loads(src.read_text())
    if "grid" in doc:
        doc["name"] = twin_name(doc["name"])
        doc["base"] = twin_name(pathlib.Path(doc["base"]).stem) + ".json"
        target = out / ("cifar10-" + src.name)
    elif src.name.startswith("fmnist-"):
        doc["name"] = twin_name(doc["name"])
        doc["dataset"] = {"name": "cifar10", "augment": True}
        target = out / twin_name(src.name)
    else:
        continue
    target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(target.relative_to(root.parent))
