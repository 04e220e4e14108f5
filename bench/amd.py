"""Answering-machine detection benchmark: the detector on espeak-ng greetings, people against machines.

Two sets of 20 human greetings ("Hello?", "Yes, hello, who is this?"...: said 0.2-1.3 s after the pick-up,
then silence while the person waits) and 20 voicemail greetings (3-11 s, then a beep): the tuning set
(five espeak-ng voices) and a held-out set (five other voices, other speeds and delays, line hiss). Each
is run through ``blendcc.dialer.amd`` with Asterisk's amd.conf values (maximum_number_of_words = 2) and
with ours (4, ADR 0055). Printed: the confusion matrix and decision times per settings and set.

    python bench/amd.py [--words 2,3,4,5]

The last line printed is one JSON object: per settings and set, human_as_human, human_as_machine,
machine_as_machine, machine_as_human, notsure, mean and max decision milliseconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from blendcc.dialer.amd import AmdDetector, AmdSettings
from blendcc.testing.amd_greetings import Greeting, corpus, have_tools


def evaluate(greetings: list[Greeting], settings: AmdSettings) -> dict[str, Any]:
    m = {"human_as_human": 0, "human_as_machine": 0, "machine_as_machine": 0, "machine_as_human": 0,
         "notsure": 0}
    times: list[int] = []
    wrong: list[str] = []
    for g in greetings:
        d = AmdDetector(settings)
        d.feed(g.pcm)
        v = d.verdict
        assert v is not None
        times.append(v.decided_ms)
        if v.result == "NOTSURE":
            m["notsure"] += 1
            continue
        got = v.result.lower()
        m[f"{g.kind}_as_{got}"] += 1
        if got != g.kind:
            wrong.append(f"{g.kind} {g.text!r} -> {v.result} {v.cause} ({v.words} words, {v.decided_ms} ms)")
    return {**m, "decision_ms_mean": round(sum(times) / len(times)), "decision_ms_max": max(times),
            "wrong": wrong}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", default="2,3,4,5", help="maximum_number_of_words values to compare")
    args = ap.parse_args()
    missing = have_tools()
    if missing:
        sys.exit(f"bench/amd.py: {missing}")
    sets = {"tuning": corpus(), "held_out": corpus(held_out=True)}
    out: dict[str, Any] = {}
    for words in (int(w) for w in args.words.split(",")):
        settings = AmdSettings(maximum_number_of_words=words)
        for name, greetings in sets.items():
            r = evaluate(greetings, settings)
            key = f"words{words}_{name}"
            out[key] = {k: v for k, v in r.items() if k != "wrong"}
            print(f"\nmaximum_number_of_words={words}, {name} set ({len(greetings)} greetings)")
            print("             | said HUMAN | said MACHINE | NOTSURE")
            for kind in ("human", "machine"):
                ns = sum(1 for g in greetings if g.kind == kind) - r[f"{kind}_as_human"] - r[f"{kind}_as_machine"]
                print(f"  {kind:<10} | {r[f'{kind}_as_human']:>10} | {r[f'{kind}_as_machine']:>12} | {ns:>7}")
            print(f"  decision: mean {r['decision_ms_mean']} ms, max {r['decision_ms_max']} ms")
            for w in r["wrong"]:
                print("  wrong:", w)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
