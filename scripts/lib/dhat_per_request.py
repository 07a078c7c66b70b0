#!/usr/bin/env python3
"""Heap allocations per request from two DHAT profiles of ledgerd (scripts/bench-allocs).

Usage: dhat_per_request.py BASELINE.json LOADED.json REQUESTS [SITES]
The loaded run made REQUESTS more requests than the baseline run, otherwise the same; every
call stack's block count is the loaded run's minus the baseline's, divided by REQUESTS. Prints
the total, the split by thread (the HTTP event loops, the sequencer's writer, the asynchronous
projections), and the SITES (default 20) largest sites of each: a site is the first frame of
the project's own code (ledger::) above the allocation, the frame a change would be made in.
"""
import collections
import json
import re
import sys


def frame_name(frame):
    """A DHAT frame ("0x...: name (file:line)") as its function's name, without arguments."""
    frame = re.sub(r"^0x[0-9A-Fa-f]+: ", "", frame)
    frame = re.sub(r"\(in /[^)]*\)", "", frame)
    frame = re.sub(r"\[abi:cxx11\]", "", frame)
    return re.sub(r"\(.*", "", frame).strip()


def blocks_by_stack(path):
    profile = json.load(open(path))
    frames = [frame_name(frame) for frame in profile["ftbl"]]
    stacks = collections.Counter()
    for point in profile["pps"]:
        stacks[tuple(frames[i] for i in point["fs"])] += point["tbk"]
    return stacks


def thread_of(stack):
    text = " ".join(stack)
    if "ProjectionRunner" in text or "ledger::projections::" in text:
        return "projections (asynchronous)"
    if "Sequencer::" in text and "HttpServer" not in text:
        return "sequencer writer"
    if "HttpServer" in text:
        return "HTTP event loops"
    return "other"


def site_of(stack):
    for frame in stack:
        if "ledger::" in frame and "operator new" not in frame:
            return frame
    return stack[-1] if stack else "?"


def main():
    baseline, loaded = blocks_by_stack(sys.argv[1]), blocks_by_stack(sys.argv[2])
    requests = int(sys.argv[3])
    sites_max = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    by_thread = collections.defaultdict(collections.Counter)
    for stack in set(baseline) | set(loaded):
        delta = loaded[stack] - baseline[stack]
        if delta:
            by_thread[thread_of(stack)][site_of(stack)] += delta
    total = sum(sum(sites.values()) for sites in by_thread.values())
    print(f"allocations per request: {total / requests:.1f}")
    for thread, sites in sorted(by_thread.items(), key=lambda item: -sum(item[1].values())):
        print(f"  {sum(sites.values()) / requests:7.1f}  {thread}")
        for site, delta in sites.most_common(sites_max):
            if abs(delta) / requests < 0.5:
                break
            print(f"      {delta / requests:6.1f}  {site[:120]}")


if __name__ == "__main__":
    main()
