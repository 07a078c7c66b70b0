#!/usr/bin/env python3
"""The report of scripts/bench: reads its JSON lines and writes the generated section of
BENCHMARKS.md (between the marker comments, replacing the previous one and keeping the
hand-written history) and the latency-vs-throughput chart (gnuplot, scripts/lib/latency.gp).

Usage: bench_report.py RESULTS.jsonl [--benchmarks BENCHMARKS.md] [--chart PNG]
Without --benchmarks the section is printed.
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile

BEGIN = "<!-- scripts/bench: generated section, replaced by each run -->"
END = "<!-- scripts/bench: end of generated section -->"


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def select(records, bench, **fields):
    return [r for r in records if r.get("bench") == bench and
            all(r.get(k) == v for k, v in fields.items())]


def one(records, bench, **fields):
    found = select(records, bench, **fields)
    return found[-1] if found else None


def n(value):
    return "–" if value is None else f"{value:,.0f}"


def ms(us):
    if us is None:
        return "–"
    return f"{us / 1000:.2f} ms" if us < 10_000 else f"{us / 1000:.0f} ms"


def ratio(a, b, digits=2):
    if not a or not b:
        return "–"
    return f"{a / b:.{digits}f}"


def verdict(ok):
    return "**met**" if ok else "**not met**"


def command_output(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip() or \
            subprocess.run(args, capture_output=True, text=True, timeout=10).stderr.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 1024 / 1024
    rocksdb = command_output(["dpkg-query", "-W", "-f=${Version}", "rocksdb-tools"])
    postgres = command_output(["/usr/lib/postgresql/15/bin/postgres", "--version"])
    nginx = command_output(["nginx", "-v"]).replace("nginx version: ", "")
    wrk = command_output(["dpkg-query", "-W", "-f=${Version}", "wrk"])
    return (f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, Linux {platform.release()}; "
            f"RocksDB {rocksdb}, {postgres}, {nginx}, wrk {wrk}")


def commands(run):
    e, s, ee = run["events"], run["seconds"], run["engine_events"]
    return "\n".join([
        f"{run['command']}    # all of the below, then this section and the chart",
        f"db_bench --benchmarks=fillseq --sync=1 --batch_size=1000 --value_size=150 --num={ee}",
        f"build/bin/ledger-bench append --events {ee} --streams 1000 --batch 1000 --data-dir D",
        f"build/bin/ledger-bench debit --events {ee} --wallets 1000 --batch 1000 --data-dir D",
        "build/bin/ledgerd --data-dir D --listen 127.0.0.1:18080 --password-cost 10 "
        "--login-limit 100000 --email-interval-ms 86400000    # emails delivered at start only",
        "# 64 clients created and funded over HTTP (tokens in T), keep-alive, loopback; "
        "C in 1 16 64:",
        f"WRK_TOKENS=T wrk -t2 -cC -d{s}s --latency -s tools/wrk/ledger_debit.lua "
        "http://127.0.0.1:18080    # -t1 at 1 connection",
        f"WRK_TOKENS=T wrk -t2 -cC -d{s}s --latency -s tools/wrk/ledger_balance.lua "
        "http://127.0.0.1:18080",
        "# open loop, R = 25/50/75/90/100% of the closed-loop rate at 64 connections:",
        "build/bin/ledger-bench http-open-loop --name http-debit --method POST "
        "--url http://127.0.0.1:18080/api/wallet/pay/ --body '{\"amount\":\"0.01\","
        f"\"service\":\"marketing\"}}' --rate R --connections 64 --seconds {s} --threads 2 "
        "--tokens-file T",
        "build/bin/ledger-bench http-open-loop --name http-balance --method GET "
        f"--url http://127.0.0.1:18080/api/wallet/ --rate R --connections 64 --seconds {s} "
        "--threads 2 --tokens-file T",
        "# PostgreSQL 15 (initdb, synchronous_commit=on, fsync=on, tools/pgbench/schema.sql):",
        f"pgbench -n -c C -j 2 -T {s} -D wallets=64 -l -f tools/pgbench/wallet_debit.sql "
        "postgres    # -j 1 at 1 client",
        "# nginx 2 workers, `return 200` of a 150-byte JSON body:",
        f"wrk -t2 -cC -d{s}s --latency -s tools/wrk/fixed_json.lua http://127.0.0.1:18081/",
        "# large logs, L in N/10 and N:",
        "build/bin/ledger-bench debit --events L --wallets 10000 --batch 1000 --data-dir D; "
        "build/bin/ledgerctl compact --data-dir D",
        "build/bin/ledger-audit verify --quiet --format json --data-dir D    # three runs, at N",
        f"db_bench --benchmarks=fillseq,readseq,readseq --num={e}+top-ups --value_size=230 "
        "--compression_type=lz4",
        "build/bin/ledgerctl projections rebuild --all --quiet --format json --data-dir D",
        "build/bin/ledgerd --data-dir D ...; VmRSS/VmHWM from /proc/PID/status when idle "
        f"(projections caught up) and after {s} s of balance queries + {s} s of debits "
        "(16 connections)",
    ])


def storage_section(records, out):
    fill = one(records, "db_bench-fillseq-sync")
    append = one(records, "append")
    debit = select(records, "debit")
    debit = [d for d in debit if d.get("role") != "build-log"]
    debit = debit[-1] if debit else None
    base = fill and fill["per_second"]
    out.append("| what | ops/s | ratio to db_bench | p50 / p99 / p99.9 commit latency |")
    out.append("|---|---|---|---|")
    out.append(f"| RocksDB `db_bench` fillseq, synced WAL, batches of 1000, 150-byte values "
               f"| {n(base)} | 1.00 | |")
    for name, r in (("ledger `append` (1 event a command, 1000 in flight)", append),
                    ("ledger `debit` (wallet payments over 1000 wallets, 1000 in flight)", debit)):
        if r:
            out.append(f"| {name} | {n(r['per_second'])} | {ratio(r['per_second'], base)} | "
                       f"{ms(r['p50_us'])} / {ms(r['p99_us'])} / {ms(r['p999_us'])} |")
    return (debit["per_second"] / base) if (debit and base) else None


def peer_table(records, out, counts, ours, peer, ratio_digits, ratio_suffix):
    """One row per connection count: ours beside the peer, with the ratio of their rates."""
    ours_bench, ours_label = ours
    peer_bench, peer_label = peer
    out.append(f"| connections | {ours_label} | p50 | p99 | p99.9 | {peer_label} | p50 | p99 | "
               "p99.9 | ratio |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    ratios = {}
    for c in counts:
        a = one(records, ours_bench, mode="closed-loop", connections=c)
        b = one(records, peer_bench, mode="closed-loop", connections=c)
        if not a or not b:
            continue
        ratios[c] = a["per_second"] / b["per_second"] if b["per_second"] else None
        cells = [c] + [f(r[k]) for r in (a, b)
                       for f, k in ((n, "per_second"), (ms, "p50_us"), (ms, "p99_us"),
                                    (ms, "p999_us"))]
        cells.append(ratio(a["per_second"], b["per_second"], ratio_digits) + ratio_suffix)
        out.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return ratios


def closed_loop_section(records, out, counts):
    debit_ratios = peer_table(records, out, counts, ("http-debit", "ledgerd debits/s"),
                              ("pg-debit", "PostgreSQL tps"), 1, "x")
    out.append("")
    balance_ratios = peer_table(records, out, counts,
                                ("http-balance", "ledgerd balance queries/s"),
                                ("fixed-json", "nginx fixed JSON/s"), 2, "")
    if one(records, "http-messages", mode="closed-loop", connections=64):
        out.append("")
        out.append("Messages: 64 clients each sending a message to the admin and listing their "
                   "conversations, half and half (`tools/wrk/ledger_messages.lua`), beside "
                   "PostgreSQL doing the same inserts and selects (`tools/pgbench/message_*.sql`):")
        out.append("")
        peer_table(records, out, [64], ("http-messages", "ledgerd messages requests/s"),
                   ("pg-messages", "PostgreSQL tps"), 2, "x")
    errors = sum(r.get("errors", 0) for r in records
                 if r.get("bench") in ("http-debit", "http-balance", "fixed-json",
                                       "http-messages")
                 and r.get("mode") == "closed-loop")
    out.append("")
    out.append(f"Errors (non-2xx, socket) over all closed-loop HTTP runs: {errors}.")
    return debit_ratios, balance_ratios


def open_loop_section(records, out):
    out.append("| what | fixed rate/s | answered/s | p50 | p99 | p99.9 | max | errors | "
               "unanswered |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for bench, label in (("http-debit", "debits"), ("http-balance", "balance queries")):
        for r in sorted(select(records, bench, mode="open-loop"),
                        key=lambda r: r["target_per_second"]):
            out.append(f"| {label} ({r.get('fraction', 0) * 100:.0f}% of closed loop) | "
                       f"{n(r['target_per_second'])} | {n(r['per_second'])} | {ms(r['p50_us'])} | "
                       f"{ms(r['p99_us'])} | {ms(r['p999_us'])} | {ms(r['max_us'])} | "
                       f"{r['errors']} | {r['unanswered']} |")


def large_log_section(records, out):
    readseq = [r["per_second"] for r in select(records, "db_bench-readseq")]
    verify = [r["events_per_second"] for r in select(records, "verify")]
    base = max(readseq) if readseq else None
    verify_events = select(records, "verify")[-1]["events"] if verify else None
    builds = select(records, "build-log")
    for b in builds:
        out.append(f"Log of {n(b['events'])} payments (plus top-ups) built and compacted in "
                   f"{b['seconds']:.0f} s.")
    out.append("")
    out.append("| what | events/s | ratio to db_bench readseq |")
    out.append("|---|---|---|")
    out.append(f"| `db_bench` readseq, {n(verify_events)} values of 230 bytes, LZ4 (runs) | "
               f"{' · '.join(n(v) for v in readseq)} | 1.00 |")
    if verify:
        out.append(f"| `ledger-audit verify` over {n(verify_events)} events (runs) | "
                   f"{' · '.join(n(v) for v in verify)} | "
                   f"{ratio(min(verify), base)}–{ratio(max(verify), base)} |")
    out.append("")
    out.append("| projection rebuild (`ledgerctl projections rebuild --all`, offline) | log events "
               "| seconds | events/s |")
    out.append("|---|---|---|---|")
    rebuild_rates = {}
    # The inline keyspaces are rebuilt together, by one pass of their folds over the log: one
    # row for all of them (each reports the pass's time).
    inline_done = set()
    for r in select(records, "rebuild"):
        rate = r["log_events"] / r["seconds"] if r["seconds"] else None
        name = f"`{r['name']}`"
        if r.get("kind") == "inline":
            if r["log_events"] in inline_done:
                continue
            inline_done.add(r["log_events"])
            names = [x["name"] for x in select(records, "rebuild", kind="inline",
                                               log_events=r["log_events"])]
            name = f"the {len(names)} inline keyspaces, one pass (`{'`, `'.join(names)}`)"
            rebuild_rates.setdefault("the inline keyspaces (one pass)", []).append(
                (r["log_events"], rate))
        else:
            rebuild_rates.setdefault(name, []).append((r["log_events"], rate))
        out.append(f"| {name} | {n(r['log_events'])} | {r['seconds']:.2f} | {n(rate)} |")
    for r in select(records, "rebuild-all"):
        out.append(f"| all of them | {n(r['log_events'])} | {r['seconds']:.2f} | "
                   f"{n(r['log_events'] / r['seconds'] if r['seconds'] else None)} |")
    return (max(verify) if verify else None), rebuild_rates


def rss_section(records, out):
    out.append("| ledgerd on a log of | VmRSS idle | VmRSS after load | VmHWM (peak) |")
    out.append("|---|---|---|---|")
    sizes = sorted({r["log_events"] for r in select(records, "ledgerd-rss", phase="idle")})
    peaks = {}
    for size in sizes:
        idle = one(records, "ledgerd-rss", phase="idle", log_events=size)
        after = one(records, "ledgerd-rss", phase="after-load", log_events=size)
        peaks[size] = after["vm_hwm_kb"] if after else idle["vm_hwm_kb"]
        out.append(f"| {n(size)} events | {idle['vm_rss_kb'] / 1024:.0f} MiB | "
                   f"{(after['vm_rss_kb'] / 1024) if after else 0:.0f} MiB | "
                   f"{peaks[size] / 1024:.0f} MiB |")
    http = one(records, "ledgerd-rss", phase="after-http-benchmarks")
    if http:
        out.append(f"| {n(http['log_events'])} events (the HTTP benchmarks' server, at their end) "
                   f"| | {http['vm_rss_kb'] / 1024:.0f} MiB | {http['vm_hwm_kb'] / 1024:.0f} MiB |")
    return peaks


def write_chart(records, chart, counts):
    """Data files for scripts/lib/latency.gp, then gnuplot."""
    os.makedirs(os.path.dirname(chart) or ".", exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        def series(name, rows):
            path = os.path.join(work, name)
            with open(path, "w") as f:
                for row in rows:
                    f.write(" ".join(str(v) for v in row) + "\n")
            return path

        for bench in ("http-debit", "http-balance"):
            # In the order of the offered rate: an overloaded run answers less than offered.
            rows = [(r["per_second"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["p999_us"] / 1000)
                    for r in sorted(select(records, bench, mode="open-loop"),
                                    key=lambda r: r["target_per_second"]) if r["per_second"]]
            series(f"{bench}-open.dat", rows)
        for bench in ("http-debit", "http-balance", "fixed-json", "pg-debit"):
            rows = [(r["per_second"], r["p99_us"] / 1000, r["connections"])
                    for c in counts for r in [one(records, bench, connections=c,
                                                  mode="closed-loop")] if r and r["per_second"]]
            series(f"{bench}-closed.dat", rows)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "latency.gp")
        subprocess.run(["gnuplot", "-e", f"dir='{work}'; out='{chart}'", script], check=True)


def report(records, chart_path):
    run = one(records, "run")
    counts = sorted({r["connections"] for r in records
                     if r.get("mode") == "closed-loop" and "connections" in r})
    out = [BEGIN, "",
           f"## Latest run of `{run['command']}` ({run['date'][:10]})", "",
           "Generated by `scripts/bench` from one run on this machine (everything on loopback, "
           "client and server sharing the 2 cores); the sections below it are the hand-written "
           "history.", "",
           f"Machine: {machine()}.", ""]
    if run["quick"]:
        out += ["**Quick run** (`--quick`): small log and short runs, a check that everything "
                "works; the figures are indicative only.", ""]
    out += ["```sh", commands(run), "```", ""]

    out += ["### Writes: the engine beside raw RocksDB", ""]
    engine_ratio = storage_section(records, out)
    out.append("")
    out += ["### HTTP, closed loop (wrk / pgbench: a new request as soon as the previous answer "
            "came)", ""]
    debit_ratios, balance_ratios = closed_loop_section(records, out, counts)
    out.append("")
    out += ["### HTTP, open loop (fixed arrival rate, latency from the intended send time)", "",
            "`ledger-bench http-open-loop` (tools/load/): 64 connections, 2 client threads; each "
            "request has an intended send time on a fixed schedule, a late connection sends at "
            "once and the latency still counts from the intended time, so a stall is charged to "
            "every request that should have gone out during it (no coordinated omission). Rates "
            "are fractions of the closed-loop rate at 64 connections above.", ""]
    open_loop_section(records, out)
    out.append("")
    out += [f"### Audit verify and projection rebuild over {n(run['events'])} events", ""]
    verify_best, rebuild_rates = large_log_section(records, out)
    out.append("")
    out += ["### Memory: ledgerd's RSS against the size of the log", ""]
    peaks = rss_section(records, out)
    out.append("")

    out += ["### Against DESIGN.md's targets", ""]
    out.append("| target | measured | |")
    out.append("|---|---|---|")
    if engine_ratio is not None:
        out.append(f"| engine debits >= 0.5x db_bench fillseq (synced) | {engine_ratio:.2f}x | "
                   f"{verdict(engine_ratio >= 0.5)} |")
    if 64 in debit_ratios and debit_ratios[64] is not None:
        d64 = one(records, "http-debit", mode="closed-loop", connections=64)
        out.append(f"| HTTP debits >= 10x PostgreSQL (64 connections) | {debit_ratios[64]:.1f}x | "
                   f"{verdict(debit_ratios[64] >= 10)} |")
        out.append(f"| HTTP debit p99 < 5 ms at 64 connections (closed loop) | {ms(d64['p99_us'])} "
                   f"| {verdict(d64['p99_us'] < 5000)} |")
    if 64 in balance_ratios and balance_ratios[64] is not None:
        out.append(f"| balance queries >= 0.8x nginx (64 connections) | "
                   f"{balance_ratios[64]:.2f}x | {verdict(balance_ratios[64] >= 0.8)} |")
    if verify_best is not None:
        out.append(f"| audit verify >= 2M events/s | {n(verify_best)}/s | "
                   f"{verdict(verify_best >= 2_000_000)} |")
    for name, rates in rebuild_rates.items():
        rate = rates[-1][1]
        out.append(f"| rebuild of {name} >= 1M events/s | {n(rate)}/s | "
                   f"{verdict(rate is not None and rate >= 1_000_000)} |")
    if len(peaks) >= 2:
        small, large = min(peaks), max(peaks)
        growth = peaks[large] / peaks[small]
        out.append(f"| RSS does not grow with the log ({n(small)} -> {n(large)} events) | peak "
                   f"{peaks[small] / 1024:.0f} -> {peaks[large] / 1024:.0f} MiB "
                   f"({growth:.2f}x) | {verdict(growth < 1.25)} (within 25%) |")
    out.append("")
    if chart_path:
        out += ["Latency against throughput (open-loop lines; closed-loop points at 1, 16 and 64 "
                "connections, p99):", "", f"![latency vs throughput]({chart_path})", ""]
    out.append(END)
    return "\n".join(out) + "\n"


def splice(path, section):
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        return before + section + "\n" + after
    # First time: after the introduction, before the first hand-written section.
    match = re.search(r"^## ", text, flags=re.MULTILINE)
    cut = match.start() if match else len(text)
    return text[:cut] + section + "\n" + text[cut:]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results")
    parser.add_argument("--benchmarks")
    parser.add_argument("--chart")
    args = parser.parse_args()
    records = load(args.results)
    counts = sorted({r["connections"] for r in records
                     if r.get("mode") == "closed-loop" and "connections" in r})
    chart_link = None
    if args.chart:
        write_chart(records, args.chart, counts)
        chart_link = os.path.relpath(args.chart, os.path.dirname(args.benchmarks or ".") or ".")
    section = report(records, chart_link)
    if args.benchmarks:
        text = splice(args.benchmarks, section)
        with open(args.benchmarks, "w") as f:
            f.write(text)
        print(f"bench: wrote {args.benchmarks}" + (f" and {args.chart}" if args.chart else ""),
              file=sys.stderr)
    else:
        sys.stdout.write(section)


if __name__ == "__main__":
    main()
