#!/usr/bin/env python3
"""Uncapacitated p-median benchmark: OR-Library ``pmed`` instances, junheng vs spopt.

    python benchmarks/pmedian.py [--data DIR] [--instances pmed1,pmed2] [--json OUT]
                                 [--time-limit S] [--threads N] [--no-peer]

For every instance: read the file (last duplicate edge wins, then all-pairs shortest paths
— Beasley 1985, see ``../shared/benchmarks/pmed/README.md``), solve it with
:func:`junheng.plan.pmedian.solve_pmedian` (HiGHS, distance-level model) and, in the same
run, with spopt's ``PMedian.from_cost_matrix(...).solve(pulp.PULP_CBC_CMD(...))`` (its
default CBC solver) in a child process killed at a hard wall-clock limit. Prints one table
row per instance; ``--json OUT`` writes the rows as a list of objects.

``--data`` defaults to ``../shared/benchmarks/pmed`` next to the repository and falls back
to ``tests/data/pmed`` (pmed1–pmed5, copied with their origin noted).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from junheng.plan.pmedian import PMedianResult, solve_pmedian  # noqa: E402
from junheng.plan.solver import SolveOptions  # noqa: E402

DEFAULT_DATA = [ROOT.parent / "shared" / "benchmarks" / "pmed", ROOT / "tests" / "data" / "pmed"]


# --------------------------------------------------------------------------- reading


def read_pmed(path: str | Path, duplicates: str = "last") -> tuple[np.ndarray, int]:
    """Distance matrix and ``p`` of an OR-Library ``pmedN.txt`` file.

    ``n m p`` then ``m`` lines ``i j c`` (1-based, undirected). A pair listed twice takes
    the cost of its **last** line (Beasley's procedure; ``duplicates="min"`` keeps the
    smallest, only to show the difference), then shortest paths (Floyd–Warshall).
    """
    tokens = np.array(Path(path).read_text().split(), dtype=np.int64)
    n, m, p = (int(v) for v in tokens[:3])
    edges = tokens[3: 3 + 3 * m].reshape(m, 3)
    if edges.shape[0] != m:
        raise ValueError(f"{path}: expected {m} edge lines, found {edges.shape[0]}")
    i = np.minimum(edges[:, 0], edges[:, 1]) - 1
    j = np.maximum(edges[:, 0], edges[:, 1]) - 1
    cost = edges[:, 2].astype(float)
    off = i != j
    i, j, cost = i[off], j[off], cost[off]
    key = i * n + j
    if duplicates == "last":
        _, first_in_reversed = np.unique(key[::-1], return_index=True)
        pick = key.size - 1 - first_in_reversed
    elif duplicates == "min":
        o = np.lexsort((cost, key))
        _, first = np.unique(key[o], return_index=True)
        pick = o[first]
    else:
        raise ValueError(f"duplicates must be 'last' or 'min', got {duplicates!r}")
    graph = sp.csr_matrix((cost[pick], (i[pick], j[pick])), shape=(n, n))
    dist = shortest_path(graph, method="FW", directed=False)
    return dist, p


def read_optima(folder: Path) -> dict[str, dict[str, str]]:
    file = folder / "optima.csv"
    if not file.exists():
        return {}
    with file.open(newline="") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def instance_names(folder: Path, wanted: str | None, suffixes: tuple[str, ...]) -> list[str]:
    files = {f.stem: f for f in folder.iterdir() if f.suffix in suffixes and f.stem != "README"}
    if wanted:
        names = [w.strip() for w in wanted.split(",") if w.strip()]
        missing = [w for w in names if w not in files]
        if missing:
            raise SystemExit(f"not in {folder}: {', '.join(missing)}")
        return names

    def natural(s: str) -> tuple[Any, ...]:
        import re

        return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s))

    return sorted(files, key=natural)


def find_data(arg: str | None) -> Path:
    if arg:
        folder = Path(arg)
        if not folder.is_dir():
            raise SystemExit(f"--data {arg}: not a folder")
        return folder
    for folder in DEFAULT_DATA:
        if folder.is_dir():
            return folder
    raise SystemExit("no data folder found; pass --data DIR")


# --------------------------------------------------------------------------- the peer


def _peer_child(conn: Any, cost: np.ndarray, weights: np.ndarray, p: int,
                capacities: np.ndarray | None, time_limit: float, tmp: str) -> None:
    os.setsid()                               # own process group: the parent can kill CBC too
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = tmp
    try:
        import pulp
        import spopt
        from spopt.locate import PMedian

        t0 = time.perf_counter()
        model = PMedian.from_cost_matrix(cost, weights, p_facilities=p,
                                         facility_capacities=capacities, name="peer")
        t1 = time.perf_counter()
        conn.send({"stage": "built", "build_seconds": t1 - t0})
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
        try:
            model.solve(solver)
            error = None
        except RuntimeError as exc:           # spopt raises when pulp's status is not 1
            error = str(exc)
        t2 = time.perf_counter()
        prob = model.problem
        sol_status = pulp.LpSolution.get(prob.sol_status, str(prob.sol_status))
        value = prob.objective.value()
        open_sites = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
        conn.send({"stage": "done", "build_seconds": t1 - t0, "solve_seconds": t2 - t1,
                   "seconds": t2 - t0, "status": pulp.LpStatus[prob.status],
                   "sol_status": sol_status, "objective": value, "open_sites": open_sites,
                   "error": error, "version": f"spopt {spopt.__version__} + pulp "
                                              f"{pulp.__version__} (CBC)"})
    except Exception as exc:
        conn.send({"stage": "error", "error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def peer_available() -> str | None:
    """None when spopt + pulp + CBC can run, else the reason."""
    try:
        import pulp
        import spopt  # noqa: F401
        from spopt.locate import PMedian  # noqa: F401
    except Exception as exc:
        return f"spopt/pulp cannot be imported ({type(exc).__name__}: {exc}); " \
               "install with: pip install spopt==0.7.0 pulp==3.3.2"
    if not pulp.PULP_CBC_CMD(msg=False).available():
        return "pulp's bundled CBC binary is not available on this machine"
    return None


def run_peer(cost: np.ndarray, weights: np.ndarray, p: int, time_limit: float,
             capacities: np.ndarray | None = None, grace: float = 120.0) -> dict[str, Any]:
    """Solve with spopt's PMedian in a child process; kill it at ``time_limit + grace``.

    CBC gets ``timeLimit=time_limit``; ``grace`` covers spopt's Python model build and
    pulp writing the model file. Returns a dict with ``status`` among ``optimal``,
    ``feasible`` (CBC stopped at its limit with a plan), ``timeout`` (killed), ``error``.
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    with tempfile.TemporaryDirectory(prefix="peer-") as tmp:
        proc = ctx.Process(target=_peer_child,
                           args=(child, cost, weights, p, capacities, time_limit, tmp))
        t0 = time.perf_counter()
        proc.start()
        child.close()
        deadline = t0 + time_limit + grace
        messages: list[dict[str, Any]] = []
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not parent.poll(min(left, 1.0)):
                if left <= 0:
                    break
                if not proc.is_alive() and not parent.poll():
                    break
                continue
            try:
                messages.append(parent.recv())
            except EOFError:
                break
            if messages[-1]["stage"] in ("done", "error"):
                break
        wall = time.perf_counter() - t0
        if proc.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.join(10)
    last = messages[-1] if messages else {"stage": "none"}
    if last["stage"] == "done":
        if last["sol_status"] == "Optimal Solution Found" and last["error"] is None:
            status = "optimal"
        elif last["objective"] is not None and last["sol_status"] in (
                "Solution Found", "Optimal Solution Found"):
            status = "feasible"
        else:                                  # pulp then reports LP values: not a plan
            status = "no_solution"
            last = {**last, "objective": None,
                    "error": f"CBC: {last['sol_status']} within timeLimit {time_limit:g} s"}
        return {**last, "status": status}
    if last["stage"] == "error":
        return {"status": "error", "error": last["error"], "seconds": None, "objective": None}
    built = next((msg for msg in messages if msg["stage"] == "built"), None)
    where = (f"model built in {built['build_seconds']:.0f} s, CBC still running"
             if built else "still building the pulp model")
    return {"status": "timeout", "objective": None, "seconds": wall,
            "error": f"killed after {wall:.0f} s ({where})"}


# --------------------------------------------------------------------------- table


def fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e12 and digits == 0:
            return f"{int(v)}"
        return f"{v:.{digits}f}"
    return str(v)


def print_table(rows: list[dict[str, Any]], columns: list[tuple[str, str, int]],
                header: bool = True, min_width: int = 0) -> None:
    """Right-aligned text table (``header=False``: rows only, for progress lines)."""
    cells = [[fmt(r.get(key), d) for key, _, d in columns] for r in rows]
    heads = [h for _, h, _ in columns]
    widths = [max([len(h), min_width] + [len(c[k]) for c in cells])
              for k, h in enumerate(heads)]
    if header:
        print("  ".join(h.rjust(wd) for h, wd in zip(heads, widths, strict=True)))
    for c in cells:
        print("  ".join(v.rjust(wd) for v, wd in zip(c, widths, strict=True)))


COLUMNS = [("instance", "instance", 0), ("n", "n", 0), ("p", "p", 0),
           ("published", "published", 0), ("objective", "ours", 0),
           ("gap_to_published", "Δ%", 3), ("status", "status", 0),
           ("mip_gap", "gap%", 3), ("seconds", "s", 2), ("peer_objective", "spopt", 0),
           ("peer_status", "spopt status", 0), ("peer_seconds", "spopt s", 1),
           ("ratio_text", "spopt/ours", 0)]


def result_row(name: str, n: int, p: int, published: float | None, res: PMedianResult,
               seconds: float) -> dict[str, Any]:
    gap_pub = None
    if published is not None and res.objective is not None:
        gap_pub = 100.0 * (res.objective - published) / published
    return {"instance": name, "n": n, "p": p, "published": published,
            "objective": res.objective, "bound": res.bound,
            "gap_to_published": gap_pub, "status": res.status,
            "mip_gap": None if res.gap is None else 100.0 * res.gap, "seconds": seconds,
            "restricted": res.restricted, "model": res.model}


def add_peer(row: dict[str, Any], peer: dict[str, Any] | None) -> None:
    if peer is None:
        row.update(peer_objective=None, peer_status="skipped", peer_seconds=None, ratio=None,
                   ratio_text=None)
        return
    row["peer_objective"] = peer.get("objective")
    row["peer_status"] = peer["status"]
    row["peer_seconds"] = peer.get("seconds")
    row["peer_note"] = peer.get("error")
    set_ratio(row, peer)


def set_ratio(row: dict[str, Any], peer: dict[str, Any]) -> None:
    """``ratio`` = peer seconds / our seconds; a lower bound (``≥``) when the peer stopped
    at its time limit or was killed."""
    ours = row.get("seconds")
    if not ours or peer.get("seconds") is None or peer["status"] in ("error", "skipped"):
        row["ratio"], row["ratio_text"] = None, None
        return
    row["ratio"] = peer["seconds"] / ours
    row["ratio_is_lower_bound"] = peer["status"] != "optimal"
    row["ratio_text"] = ("≥" if row["ratio_is_lower_bound"] else "") + f"{row['ratio']:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="folder with pmedN.txt and optima.csv")
    ap.add_argument("--instances", help="comma-separated names, e.g. pmed1,pmed2 (default all)")
    ap.add_argument("--json", dest="json_out", help="write the rows to this JSON file")
    ap.add_argument("--no-peer", action="store_true", help="do not run spopt")
    ap.add_argument("--time-limit", type=float, default=300.0,
                    help="seconds per instance for junheng (default 300)")
    ap.add_argument("--peer-time-limit", type=float, default=300.0,
                    help="CBC seconds per instance for spopt (default 300); the child is "
                         "killed 120 s later if still building or solving")
    ap.add_argument("--peer-max-n", type=int, default=1000,
                    help="run spopt only up to this n (default 1000; it builds n² pulp "
                         "variables and n² linking rows as Python objects)")
    ap.add_argument("--mip-gap", type=float, default=0.0,
                    help="relative MIP gap for HiGHS (default 0: prove optimality)")
    ap.add_argument("--threads", type=int, default=None, help="HiGHS threads (default: auto)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    folder = find_data(args.data)
    names = instance_names(folder, args.instances, (".txt",))
    optima = read_optima(folder)
    options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap, seed=args.seed,
                           threads=args.threads)
    peer_reason = "--no-peer" if args.no_peer else peer_available()
    peer_limit = args.peer_time_limit
    print(f"data: {folder}   junheng: HiGHS, time limit {args.time_limit:g} s, "
          f"gap {args.mip_gap:g}, threads {args.threads or 'auto'}")
    if peer_reason:
        print(f"peer (spopt PMedian): not run — {peer_reason}")
    else:
        print(f"peer: spopt PMedian + CBC, timeLimit {peer_limit:g} s, killed at "
              f"{peer_limit + 120:g} s, run for n ≤ {args.peer_max_n}")
    rows = []
    for name in names:
        dist, p = read_pmed(folder / f"{name}.txt")
        n = dist.shape[0]
        published = float(optima[name]["optimal"]) if name in optima else None
        t0 = time.perf_counter()
        res = solve_pmedian(dist, p, options=options)
        seconds = time.perf_counter() - t0
        row = result_row(name, n, p, published, res, seconds)
        peer = None
        if not peer_reason and n <= args.peer_max_n:
            peer = run_peer(dist, np.ones(n), p, peer_limit)
        add_peer(row, peer)
        if not peer_reason and peer is None:
            row["peer_note"] = f"n > --peer-max-n {args.peer_max_n}"
        rows.append(row)
        print_table([row], COLUMNS, header=len(rows) == 1, min_width=8)
        sys.stdout.flush()
    print()
    print_table(rows, COLUMNS)
    notes = [f"{r['instance']}: spopt {r['peer_status']} — {r['peer_note']}" for r in rows
             if r.get("peer_note")]
    for note in notes:
        print(note)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(clean_json(rows), indent=1, default=_json_default,
                                                 allow_nan=False))
        print(f"wrote {args.json_out}")
    missed = [r["instance"] for r in rows if r["published"] is not None and
              (r["objective"] is None or abs(r["objective"] - r["published"]) > 1e-6)]
    if missed:
        print(f"published optimum NOT reached on: {', '.join(missed)}")
    elif rows and all(r["published"] is not None for r in rows):
        print(f"published optimum reached on all {len(rows)} instances")
    return 0


def clean_json(o: Any) -> Any:
    """Rows as strict JSON: numpy scalars to Python, non-finite floats to null."""
    if isinstance(o, dict):
        return {k: clean_json(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [clean_json(v) for v in o]
    if isinstance(o, np.integer | np.floating):
        o = o.item()
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return o


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer | np.floating):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


if __name__ == "__main__":
    sys.exit(main())
