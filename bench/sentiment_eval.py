"""Measure the offline sentiment scorer on labelled sets: accuracy and macro-F1 per language.

Reads ``<lang>.csv`` files (columns ``text,label``, label negative/neutral/positive) from a directory given
on the command line (default ``../shared/data/sentiment`` beside the repository). The sets are for
measuring only: nothing here is fitted or tuned on them; the label thresholds are KPIS.md's (+-0.25).
Each row is scored as its file's language (``--detect`` lets the scorer detect it instead, which also
measures language detection).

    python bench/sentiment_eval.py [DATA_DIR] [--detect]

The last line printed is one JSON object: per language accuracy, macro_f1, rows, detected (share of rows
the detector put in the file's language).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from blendcc.adapters.sentiment.loaders import build_scorer
from blendcc.analytics.sentiment.language import detect
from blendcc.analytics.sentiment.model import LABELS

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "sentiment"


def macro_f1(gold: list[str], pred: list[str]) -> float:
    """Mean F1 over the classes present in the gold labels (a class the set lacks is not averaged)."""
    f1s = []
    for c in LABELS:
        if c not in gold:
            continue
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--detect", action="store_true", help="detect each row's language instead of the file's")
    args = ap.parse_args()
    files = sorted(args.data_dir.glob("*.csv"))
    if not files:
        print(f"error: no <lang>.csv files in {args.data_dir}", file=sys.stderr)
        return 2
    scorer = build_scorer()
    out: dict[str, dict[str, float | int]] = {}
    print(f"{'lang':<5}{'rows':>6}{'accuracy':>10}{'macro-F1':>10}{'detected':>10}   predicted neg/neu/pos")
    for path in files:
        lang = path.stem
        with path.open(encoding="utf-8", newline="") as f:
            rows = [(r["text"], r["label"]) for r in csv.DictReader(f) if r["label"] in LABELS]
        gold = [label for _, label in rows]
        pred = [scorer.score(text, None if args.detect else lang).label for text, _ in rows]
        detected = sum(detect(text) == lang for text, _ in rows) / len(rows)
        acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
        f1 = macro_f1(gold, pred)
        counts = "/".join(str(pred.count(c)) for c in LABELS)
        print(f"{lang:<5}{len(rows):>6}{acc:>10.3f}{f1:>10.3f}{detected:>10.3f}   {counts}")
        out[lang] = {"rows": len(rows), "accuracy": round(acc, 4), "macro_f1": round(f1, 4),
                     "detected": round(detected, 4)}
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
