"""The markdown table and the target check, from the measured figures."""

EAGER = ("autograd", "jax eager", "torch eager")
PEERS = ("autograd", "jax eager", "jax jit", "torch eager")
SCALAR_TARGETS = ("scalar_loop", "rk4")


def targets(results):
    """Each target of issue 6: (what, measured, limit, met)."""
    rows = []

    def add(what, value, limit, met):
        rows.append({"target": what, "measured": value, "limit": limit, "met": bool(met)})

    for name, w in results["workloads"].items():
        s = w["seconds"]
        limit = 1.15 if w["array"] else 1.25
        add(f"{name}: srcad / hand", s["srcad"] / s["hand"], f"<= {limit}",
            s["srcad"] / s["hand"] <= limit)
        if name in SCALAR_TARGETS:
            add(f"{name}: srcad / primal", s["srcad"] / s["primal"], "<= 3",
                s["srcad"] / s["primal"] <= 3)
            for peer, factor in (("autograd", 300), ("torch eager", 100)):
                if peer in s:
                    add(f"{name}: {peer} / srcad", s[peer] / s["srcad"], f">= {factor}",
                        s[peer] / s["srcad"] >= factor)
        if w["array"]:
            for peer in EAGER:
                if peer in s:
                    add(f"{name}: {peer} / srcad", s[peer] / s["srcad"], "> 1",
                        s[peer] / s["srcad"] > 1)
    extras = results.get("extras", {})
    if extras:
        t = extras["transform seconds (rk4, first call)"]
        add("rk4: transform time (ms)", t * 1e3, "<= 50", t <= 0.05)
        o = extras["cached call overhead seconds"]
        add("cached call overhead (us)", o * 1e6, "<= 2", o <= 2e-6)
        m = extras["peak ratio (rnn, srcad / hand)"]
        add("rnn: peak memory srcad / hand", m, "<= 1.2", m <= 1.2)
    return rows


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def markdown(results):
    present = [p for p in PEERS if any(p in w["seconds"] or p in w["skipped"]
                                       for w in results["workloads"].values())]
    head = ["workload", "primal", "srcad", "srcad / primal", "hand", "hand / primal",
            "srcad / hand"] + [f"{p} / srcad" for p in present]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, w in results["workloads"].items():
        s = w["seconds"]
        row = [name, fmt_time(s["primal"]), fmt_time(s["srcad"]),
               f"{s['srcad'] / s['primal']:.2f}", fmt_time(s["hand"]),
               f"{s['hand'] / s['primal']:.2f}", f"{s['srcad'] / s['hand']:.2f}"]
        for p in present:
            row.append(f"{s[p] / s['srcad']:,.0f}" if p in s and s[p] / s["srcad"] >= 10
                       else f"{s[p] / s['srcad']:.2f}" if p in s else "n/a")
        lines.append("| " + " | ".join(row) + " |")
    notes = [f"- {name}, {p}: not run ({why})" for name, w in results["workloads"].items()
             for p, why in w["skipped"].items()]
    out = ["Peer columns: how many times slower than srcad the peer's gradient is.", "",
           *lines]
    if notes:
        out += ["", *notes]
    if results.get("targets"):
        out += ["", "| target | measured | limit | met |", "|---|---|---|---|"]
        for t in results["targets"]:
            value = t["measured"]
            shown = f"{value:,.0f}" if value >= 100 else f"{value:.2f}"
            out.append(f"| {t['target']} | {shown} | {t['limit']} | "
                       f"{'yes' if t['met'] else '**no**'} |")
    m = results["machine"]
    out += ["", f"{m['platform']}, {m['cpus']} cores, one thread per tool; "
            + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
            + f"; median of {results['rounds']} interleaved rounds."]
    return "\n".join(out)
