#!/usr/bin/env python3
"""Writes random scenarios that the real-kernel replay can express.

    kernel/random-scenarios.py [--dsifuzz BIN] [--seed N] [--count N] OUT_DIR
    build/bin/dsifuzz kernel-replay OUT_DIR

Each scenario has one or two controllers and one to three peripherals
(bridges of every style, panels of both styles on distinct channels 0-3 of
their host), then 3 to 14 events of every kind the kernel module runs:
bind, unbind, remove, add, transfer, rmmod, insmod, deferred-probe and
`fail attach N` (docs/kernel-replay.md, "What does not map", says why the
other fault sites are left out). Each event is drawn among those whose
precondition holds after the events before it (`dsifuzz replay` checks),
so every file replays. The same seed writes the same files. The files
are r000.dsi, r001.dsi, ... in OUT_DIR, which must not hold any yet.

The fuzzer's generator (GenerateCase, tools/generator.h) walks the same
way in-process, asking World::EnabledEvents; this script asks by a replay
per draw, which costs about 0.2 s a scenario. Moving it into the command
(with the kernel replay's check of what it can express) is left to do.
"""
import argparse
import os
import random
import subprocess
import sys

DRIVERS = ["dsi-controller", "i2c-bridge", "dsi-panel"]
BRIDGE_STYLES = ["devm-probe", "manual", "no-unregister"]
PANEL_STYLES = ["attach", "devm-attach"]


def topology(rng):
    """The device lines and the names events may use."""
    hosts = [f"host{i}" for i in range(rng.choice([1, 1, 2]))]
    lines = [f"device {h} dsi-controller" for h in hosts]
    names = list(hosts)
    used = set()
    for i in range(rng.randint(1, 3)):
        host = rng.choice(hosts)
        free = [c for c in range(4) if (host, c) not in used]
        if rng.random() < 0.6 or not free:
            name = f"bridge{i}"
            style = rng.choice(BRIDGE_STYLES)
            lines.append(f"device {name} i2c-bridge host={host} style={style}")
        else:
            name = f"panel{i}"
            style = rng.choice(PANEL_STYLES)
            channel = rng.choice(free)
            used.add((host, channel))
            extra = f" channel={channel}" if channel else ""
            lines.append(
                f"device {name} dsi-panel host={host} style={style}{extra}")
        names.append(name)
    return lines, names


# Event kinds and their weights among those drawn.
KINDS = [("bind", 24), ("unbind", 18), ("remove", 8), ("add", 10),
         ("transfer", 14), ("rmmod", 6), ("insmod", 8),
         ("deferred-probe", 8), ("fail", 4)]


def event(rng, names):
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    if kind in ("rmmod", "insmod"):
        return f"{kind} {rng.choice(DRIVERS)}"
    if kind == "deferred-probe":
        return kind
    if kind == "fail":
        return f"fail attach {rng.randint(1, 2)}"
    return f"{kind} {rng.choice(names)}"


def text(lines, events):
    return "# dsifuzz v1\n" + "".join(x + "\n" for x in lines + events)


def applies(dsifuzz, path, lines, events):
    """Whether the model runs every event (its preconditions hold)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text(lines, events))
    run = subprocess.run([dsifuzz, "replay", "--quiet", path],
                         capture_output=True, text=True, check=False)
    if run.returncode != 2:
        return True
    if "event does not apply" not in run.stderr:
        sys.exit(f"random-scenarios: {run.stderr.strip()}")
    return False


def draw(rng, dsifuzz, path):
    """A topology and 3 to 14 events, each drawn among those that apply
    after the ones before it (up to 30 draws an event)."""
    lines, names = topology(rng)
    events = []
    for _ in range(rng.randint(3, 14)):
        for _ in range(30):
            e = event(rng, names)
            if applies(dsifuzz, path, lines, events + [e]):
                events.append(e)
                break
    return lines, events


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(
        description="Random scenarios for dsifuzz kernel-replay.")
    ap.add_argument("out", metavar="OUT_DIR")
    ap.add_argument("--dsifuzz", default=os.path.join(root, "build/bin/dsifuzz"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    args = ap.parse_args()
    if not os.access(args.dsifuzz, os.X_OK):
        sys.exit(f"random-scenarios: no {args.dsifuzz} (build it: "
                 "tools/bootstrap.sh, or say --dsifuzz BIN)")
    os.makedirs(args.out, exist_ok=True)
    if any(f.endswith(".dsi") for f in os.listdir(args.out)):
        sys.exit(f"random-scenarios: {args.out} already holds scenarios")
    rng = random.Random(args.seed)
    scratch = os.path.join(args.out, "draw.tmp")
    made = 0
    try:
        while made < args.count:
            lines, events = draw(rng, args.dsifuzz, scratch)
            if len(events) < 3:
                continue
            with open(os.path.join(args.out, f"r{made:03d}.dsi"), "w",
                      encoding="utf-8") as f:
                f.write(text(lines, events))
            made += 1
    finally:
        if os.path.exists(scratch):
            os.remove(scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
