#!/usr/bin/env python3
"""Capacitated p-median benchmark: OR-Library/Lorena–Senne/Stefanello CPMP sets vs spopt.

    python benchmarks/cpmedian.py [--data DIR] [--instances pmedcap01,SJC1] [--json OUT]
                                  [--time-limit S] [--threads N] [--candidate-k K] [--no-peer]

Reads the instance files of ``../shared/benchmarks/cpmp`` (formats and distance rules in
its README: ``pmedcap*`` use floored Euclidean distances, every other family the real
Euclidean distance), solves each with
:func:`junheng.plan.pmedian.solve_capacitated_pmedian` (HiGHS, single-source MIP) within
``--time-limit`` seconds and, in the same run, with spopt's ``PMedian`` (capacities through
``facility_capacities``, default CBC solver) in a child process killed at a hard limit.

spopt's ``PMedian`` uses one weight vector both for the objective (``Σ w_i d_ij z_ij``)
and for the capacity rows (``Σ w_i z_ij ≤ Q_j y_j``); the CPMP objective is unweighted.
The peer is therefore given ``weights = demand`` and ``cost_ij / demand_i`` as cost
matrix, which is the same problem exactly (all demands here are > 0).

Instances with ``n > --full-n`` (default 200) are solved on the restricted model of each
client's ``--candidate-k`` nearest sites (default ``auto`` = ⌈3·n/p⌉, three average
clusters' worth, at least 10); the table marks them (``k=…``) and their bound is then for
the restricted model only.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pmedian import (
    ROOT,
    _json_default,
    clean_json,
    instance_names,
    peer_available,
    print_table,
    run_peer,
    set_ratio,
)

from junheng.plan.pmedian import solve_capacitated_pmedian
from junheng.plan.solver import InfeasibleError, SolveOptions

DEFAULT_DATA = [ROOT.parent / "shared" / "benchmarks" / "cpmp", ROOT / "tests" / "data" / "cpmp"]


def read_cpmp(path: str | Path, distance: str | None = None
              ) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]:
    """``(cost, p, demand, capacity, xy)`` of a CPMP file.

    ``orlib_pmedcap`` layout (``pmedcapKK.txt``): ``1`` / ``k best`` / ``n p Q`` /
    ``id x y q`` × n. ``lorena_senne`` layout (other files): ``n p`` / ``x y Q q`` × n.
    ``distance`` is ``floor_euclidean`` or ``euclidean``; by default ``pmedcap*`` files use
    the floored distance (the published optima do) and every other file the real one.
    """
    path = Path(path)
    tokens = path.read_text().split()
    if path.name.startswith("pmedcap"):
        if int(tokens[0]) != 1:
            raise ValueError(f"{path}: expected one problem per file, header says {tokens[0]}")
        n, p, cap = int(tokens[3]), int(tokens[4]), float(tokens[5])
        body = np.array(tokens[6: 6 + 4 * n], dtype=float).reshape(n, 4)
        xy, demand, capacity = body[:, 1:3], body[:, 3], np.full(n, cap)
        default = "floor_euclidean"
    else:
        n, p = int(float(tokens[0])), int(float(tokens[1]))
        body = np.array(tokens[2: 2 + 4 * n], dtype=float).reshape(n, 4)
        xy, capacity, demand = body[:, 0:2], body[:, 2], body[:, 3]
        default = "euclidean"
    if body.shape[0] != n:
        raise ValueError(f"{path}: expected {n} points, found {body.shape[0]}")
    rule = distance or default
    cost = cdist(xy, xy)
    if rule == "floor_euclidean":
        cost = np.floor(cost)
    elif rule != "euclidean":
        raise ValueError(f"unknown distance rule {rule!r}")
    return cost, p, demand, capacity, xy


def read_table(folder: Path) -> dict[str, dict[str, str]]:
    file = folder / "optima.csv"
    if not file.exists():
        return {}
    with file.open(newline="") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


COLUMNS = [("instance", "instance", 0), ("n", "n", 0), ("p", "p", 0),
           ("published", "published", 2), ("kind", "kind", 0), ("objective", "ours", 2),
           ("gap_to_published", "Δ%", 3), ("status", "status", 0), ("model", "model", 0),
           ("mip_gap", "gap%", 2), ("seconds", "s", 1), ("peer_objective", "spopt", 2),
           ("peer_status", "spopt status", 0), ("peer_seconds", "spopt s", 1),
           ("ratio_text", "spopt/ours", 0)]


def check_plan(cost: np.ndarray, p: int, demand: np.ndarray, capacity: np.ndarray,
               open_sites: np.ndarray, assignment: np.ndarray) -> float:
    """Re-evaluate a plan from scratch; raise if it breaks a rule; return its cost."""
    n = cost.shape[0]
    if len(open_sites) != p:
        raise AssertionError(f"{len(open_sites)} open sites, expected {p}")
    if (assignment < 0).any() or not np.isin(assignment, open_sites).all():
        raise AssertionError("a client is unassigned or assigned to a closed site")
    load = np.bincount(assignment, weights=demand, minlength=cost.shape[1])
    if (load > capacity + 1e-9).any():
        raise AssertionError("capacity exceeded")
    return float(cost[np.arange(n), assignment].sum())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="folder with the CPMP files and optima.csv")
    ap.add_argument("--instances", help="comma-separated names (default: all in the folder)")
    ap.add_argument("--json", dest="json_out", help="write the rows to this JSON file")
    ap.add_argument("--no-peer", action="store_true", help="do not run spopt")
    ap.add_argument("--time-limit", type=float, default=120.0,
                    help="seconds per instance for junheng (default 120)")
    ap.add_argument("--peer-time-limit", type=float, default=None,
                    help="CBC seconds per instance (default: --time-limit); the child is "
                         "killed 120 s later if still building or solving")
    ap.add_argument("--peer-max-n", type=int, default=400,
                    help="skip spopt above this n (it builds n² pulp variables and n² "
                         "linking rows as Python objects; default 400)")
    ap.add_argument("--mip-gap", type=float, default=0.0, help="HiGHS relative gap (default 0)")
    ap.add_argument("--full-n", type=int, default=200,
                    help="largest n solved on the full model (default 200)")
    ap.add_argument("--candidate-k", default="auto",
                    help="nearest sites kept per client above --full-n: an int, or 'auto' = "
                         "ceil(3 n / p), at least 10 (default auto)")
    ap.add_argument("--threads", type=int, default=None, help="HiGHS threads (default: auto)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    folder = (Path(args.data) if args.data
              else next((f for f in DEFAULT_DATA if f.is_dir()), None))
    if folder is None or not folder.is_dir():
        raise SystemExit("no data folder found; pass --data DIR")
    table = read_table(folder)
    names = instance_names(folder, args.instances, (".txt", ".dat"))
    names = [nm for nm in names if nm in table] + [nm for nm in names if nm not in table]
    if not args.instances:                       # table order: families, then size
        order = list(table)
        names.sort(key=lambda nm: order.index(nm) if nm in order else len(order))
    options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap, seed=args.seed,
                           threads=args.threads)
    peer_reason = "--no-peer" if args.no_peer else peer_available()
    peer_limit = args.peer_time_limit or args.time_limit
    print(f"data: {folder}   junheng: HiGHS, time limit {args.time_limit:g} s, gap "
          f"{args.mip_gap:g}, threads {args.threads or 'auto'}, full model up to n = "
          f"{args.full_n}, else {args.candidate_k} nearest sites per client "
          "(bound then for that restricted model)")
    if peer_reason:
        print(f"peer (spopt PMedian): not run — {peer_reason}")
    else:
        print(f"peer: spopt PMedian(facility_capacities) + CBC, timeLimit {peer_limit:g} s, "
              f"killed at {peer_limit + 120:g} s, run for n ≤ {args.peer_max_n}")
    rows: list[dict[str, Any]] = []
    for name in names:
        meta = table.get(name, {})
        file = folder / (meta.get("file") or next(
            f.name for f in folder.iterdir() if f.stem == name))
        cost, p, demand, capacity, _ = read_cpmp(file, meta.get("distance") or None)
        n = cost.shape[0]
        k = None
        if n > args.full_n:
            k = (max(10, -(-3 * n // p)) if args.candidate_k == "auto"
                 else int(args.candidate_k))
            k = None if k >= n else k
        published = float(meta["optimal"]) if meta.get("optimal") else None
        row: dict[str, Any] = {"instance": name, "n": n, "p": p, "published": published,
                               "kind": {"optimal": "opt", "best_known": "bks"}.get(
                                   meta.get("status", ""), "—"),
                               "distance": meta.get("distance"),
                               "model": "full" if k is None else f"k={k}"}
        t0 = time.perf_counter()
        try:
            res = solve_capacitated_pmedian(cost, p, demand, capacity, options=options,
                                            candidate_k=k)
        except InfeasibleError as exc:
            row.update(status="infeasible", objective=None, note=str(exc),
                       seconds=time.perf_counter() - t0)
            res = None
        if res is not None:
            seconds = time.perf_counter() - t0
            objective = None
            if res.objective is not None:
                objective = check_plan(cost, p, demand, capacity, res.open_sites,
                                       res.assignment)
            gap_pub = (None if objective is None or published is None
                       else 100.0 * (objective - published) / published)
            row.update(objective=objective, bound=res.bound, status=res.status,
                       mip_gap=None if res.gap is None else 100.0 * res.gap,
                       gap_to_published=gap_pub, seconds=seconds, restricted=res.restricted,
                       note=res.message, size=res.model)
        peer = None
        if not peer_reason and n <= args.peer_max_n:
            if (demand > 0).all():
                peer = run_peer(cost / demand[:, None], demand, p, peer_limit,
                                capacities=capacity)
            else:
                peer = {"status": "skipped", "error": "zero demand: cost/demand undefined"}
        if peer is None:
            row.update(peer_objective=None, peer_seconds=None, ratio=None,
                       peer_status="skipped" if not peer_reason else "not run")
            if not peer_reason:
                row["peer_note"] = f"n > --peer-max-n {args.peer_max_n}"
        else:
            row.update(peer_objective=peer.get("objective"), peer_status=peer["status"],
                       peer_seconds=peer.get("seconds"), peer_note=peer.get("error"))
            set_ratio(row, peer)
        rows.append(row)
        print_table([row], COLUMNS, header=len(rows) == 1, min_width=8)
        sys.stdout.flush()
    print()
    print_table(rows, COLUMNS)
    for r in rows:
        if r.get("note"):
            print(f"{r['instance']}: {r['note']}")
        if r.get("peer_note"):
            print(f"{r['instance']}: spopt {r['peer_status']} — {r['peer_note']}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(clean_json(rows), indent=1, default=_json_default,
                                                 allow_nan=False))
        print(f"wrote {args.json_out}")
    reached = [r for r in rows if r.get("objective") is not None and r["published"] is not None
               and r["objective"] <= r["published"] + max(0.05, 1e-7 * r["published"])]
    print(f"published value reached (±0.05) on {len(reached)} of {len(rows)} instances; "
          f"proved optimal: {sum(r['status'] == 'optimal' for r in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
