"""p-median solvers: brute force on small instances, published optima, file conventions,
capacities, time limits and infeasibility messages."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.plan.pmedian import solve_capacitated_pmedian, solve_pmedian
from junheng.plan.solver import InfeasibleError, SolveOptions

DATA = Path(__file__).parent / "data"
BENCH = Path(__file__).parents[1] / "benchmarks"
EXACT = SolveOptions(time_limit=60, mip_gap=0.0, threads=1)


def _load(name: str):  # type: ignore[no-untyped-def]
    """Import a benchmark script (it holds the file readers) as a module."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_pmed = _load("pmedian")
bench_cpmp = _load("cpmedian")


# --------------------------------------------------------------------------- brute force


def brute_pmedian(cost, p, weights, fixed_open=(), fixed_closed=()):  # type: ignore[no-untyped-def]
    best = None
    for subset in itertools.combinations(range(cost.shape[1]), p):
        if not set(fixed_open) <= set(subset) or set(fixed_closed) & set(subset):
            continue
        d = cost[:, list(subset)].min(axis=1)
        if np.isinf(d).any():
            continue
        value = float(weights @ d)
        best = value if best is None else min(best, value)
    return best


def brute_cpmp(cost, p, demand, capacity):  # type: ignore[no-untyped-def]
    n, m = cost.shape
    best = None
    for subset in itertools.combinations(range(m), p):
        for assign in itertools.product(subset, repeat=n):
            a = np.array(assign)
            load = np.bincount(a, weights=demand, minlength=m)
            if (load > capacity).any():
                continue
            value = float(cost[np.arange(n), a].sum())
            best = value if best is None else min(best, value)
    return best


@st.composite
def pmedian_instances(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 6))
    cost = np.array(draw(st.lists(st.lists(st.integers(0, 20), min_size=m, max_size=m),
                                  min_size=n, max_size=n)), dtype=float)
    forbid = np.array(draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m),
                                    min_size=n, max_size=n)))
    if draw(st.booleans()):
        cost[forbid & (cost > 12)] = np.inf       # some forbidden pairs
    weights = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float)
    p = draw(st.integers(1, m))
    sites = draw(st.permutations(range(m)))
    n_open = draw(st.integers(0, min(p, 2)))
    n_closed = draw(st.integers(0, min(m - p, 2)))
    return cost, p, weights, sites[:n_open], sites[n_open:n_open + n_closed]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pmedian_instances())
def test_pmedian_matches_brute_force(instance) -> None:  # type: ignore[no-untyped-def]
    cost, p, weights, fixed_open, fixed_closed = instance
    expected = brute_pmedian(cost, p, weights, fixed_open, fixed_closed)
    available = np.setdiff1d(np.arange(cost.shape[1]), fixed_closed)
    if np.isinf(cost[:, available]).all(axis=1).any():       # a client with no allowed site
        with pytest.raises(InfeasibleError):
            solve_pmedian(cost, p, weights=weights, options=EXACT, fixed_open=fixed_open,
                          fixed_closed=fixed_closed)
        return
    res = solve_pmedian(cost, p, weights=weights, options=EXACT, fixed_open=fixed_open,
                        fixed_closed=fixed_closed)
    if expected is None:
        assert res.status == "infeasible"
        return
    assert res.status == "optimal"
    assert res.objective == pytest.approx(expected, abs=1e-9)
    assert res.bound is not None and res.bound <= res.objective + 1e-6
    assert len(res.open_sites) == p
    assert set(fixed_open) <= set(res.open_sites.tolist())
    assert not set(fixed_closed) & set(res.open_sites.tolist())
    # every client is served by its nearest open site, and that site is allowed
    nearest = cost[:, res.open_sites].min(axis=1)
    np.testing.assert_array_equal(cost[np.arange(len(cost)), res.assignment], nearest)
    assert np.isin(res.assignment, res.open_sites).all()


def _classic_pmedian(cost: np.ndarray, weights: np.ndarray, p: int) -> float | None:
    """The textbook model (x_ij ≤ y_j, n·m variables), solved by scipy's milp."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = cost.shape
    ii, jj = np.nonzero(np.isfinite(cost))
    k = ii.size
    obj = np.r_[weights[ii] * cost[ii, jj], np.zeros(m)]
    assign = sp.csr_matrix((np.ones(k), (ii, np.arange(k))), shape=(n, k + m))
    link = sp.csr_matrix((np.r_[np.ones(k), -np.ones(k)],
                          (np.r_[np.arange(k), np.arange(k)], np.r_[np.arange(k), k + jj])),
                         shape=(k, k + m))
    count = sp.csr_matrix((np.ones(m), (np.zeros(m, dtype=int), k + np.arange(m))),
                          shape=(1, k + m))
    res = milp(obj, constraints=[LinearConstraint(assign, 1, 1),
                                 LinearConstraint(link, -np.inf, 0),
                                 LinearConstraint(count, p, p)],
               integrality=np.r_[np.zeros(k), np.ones(m)], bounds=Bounds(0, 1),
               options={"mip_rel_gap": 0})
    return float(res.fun) if res.success else None


@pytest.mark.parametrize("seed", range(6))
def test_pmedian_matches_classic_model_on_real_costs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, p = int(rng.integers(20, 45)), int(rng.integers(8, 30)), int(rng.integers(1, 8))
    cost = rng.random((n, m)) * 100
    if seed % 2:
        cost[rng.random((n, m)) < 0.4] = np.inf
    cost[np.arange(n), rng.integers(0, m, n)] = rng.random(n) * 100
    weights = rng.random(n) * 5
    expected = _classic_pmedian(cost, weights, p)
    res = solve_pmedian(cost, p, weights=weights, options=EXACT)
    if expected is None:
        assert res.status == "infeasible"
    else:
        assert res.status == "optimal"
        assert res.objective == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_merged_clients_and_zero_weights_keep_the_objective() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 50, size=(12, 9)).astype(float)
    cost = np.vstack([base, base[:4]])            # 4 duplicated clients
    weights = np.r_[rng.integers(0, 4, 12), [1, 0, 2, 3]].astype(float)
    res = solve_pmedian(cost, 3, weights=weights, options=EXACT)
    assert res.model["model_clients"] < len(cost)
    assert res.objective == pytest.approx(brute_pmedian(cost, 3, weights))
    assert len(res.assignment) == len(cost)


# --------------------------------------------------------------------------- OR-Library pmed


def _optima(folder: Path) -> dict[str, dict[str, str]]:
    return bench_pmed.read_optima(folder)


@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed3", "pmed4", "pmed5"])
def test_orlib_pmed_reaches_published_optimum(name: str) -> None:
    dist, p = bench_pmed.read_pmed(DATA / "pmed" / f"{name}.txt")
    optimum = float(_optima(DATA / "pmed")[name]["optimal"])
    res = solve_pmedian(dist, p, options=SolveOptions(time_limit=60, mip_gap=0.0))
    assert res.status == "optimal"
    assert res.objective == optimum
    assert res.bound == pytest.approx(optimum, abs=1e-6)
    assert len(res.open_sites) == p


def test_pmed_reader_last_duplicate_wins() -> None:
    file = DATA / "pmed" / "pmed1.txt"
    last, p = bench_pmed.read_pmed(file)
    smallest, _ = bench_pmed.read_pmed(file, duplicates="min")
    assert last.shape == (100, 100) and p == 5
    assert np.isfinite(last).all() and (np.diag(last) == 0).all()
    np.testing.assert_array_equal(last, last.T)
    assert (smallest <= last).all() and (smallest < last).any()
    opts = SolveOptions(time_limit=60, mip_gap=0.0)
    assert solve_pmedian(last, p, options=opts).objective == 5819
    assert solve_pmedian(smallest, p, options=opts).objective == 5718


# --------------------------------------------------------------------------- capacitated


@st.composite
def cpmp_instances(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(2, 6))
    p = draw(st.integers(1, 3 if n > 3 else n))
    cost = np.array(draw(st.lists(st.lists(st.integers(0, 15), min_size=n, max_size=n),
                                  min_size=n, max_size=n)), dtype=float)
    np.fill_diagonal(cost, 0)
    demand = np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), dtype=float)
    capacity = np.array(draw(st.lists(st.integers(3, 12), min_size=n, max_size=n)),
                        dtype=float)
    return cost, p, demand, capacity


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cpmp_instances())
def test_capacitated_matches_brute_force(instance) -> None:  # type: ignore[no-untyped-def]
    cost, p, demand, capacity = instance
    expected = brute_cpmp(cost, p, demand, capacity)
    try:
        res = solve_capacitated_pmedian(cost, p, demand, capacity, options=EXACT)
    except InfeasibleError:
        assert expected is None
        return
    if expected is None:
        assert res.status == "infeasible" and res.message
        return
    assert res.status == "optimal"
    assert res.objective == pytest.approx(expected, abs=1e-9)
    # every client assigned once, to an open site, capacities respected
    assert len(res.open_sites) == p
    assert np.isin(res.assignment, res.open_sites).all()
    load = np.bincount(res.assignment, weights=demand, minlength=len(capacity))
    assert (load <= capacity + 1e-9).all()
    assert res.objective == pytest.approx(cost[np.arange(len(cost)), res.assignment].sum())


def test_cpmp_readers_distance_rules() -> None:
    cost, p, demand, capacity, _ = bench_cpmp.read_cpmp(DATA / "cpmp" / "pmedcap01.txt")
    assert cost.shape == (50, 50) and p == 5 and (capacity == 120).all()
    assert (cost == np.floor(cost)).all()                         # floored Euclidean
    real, *_ = bench_cpmp.read_cpmp(DATA / "cpmp" / "pmedcap01.txt", "euclidean")
    assert (real >= cost).all() and (real != cost).any()
    sjc, p, demand, capacity, xy = bench_cpmp.read_cpmp(DATA / "cpmp" / "SJC1.dat")
    assert sjc.shape == (100, 100) and p == 10 and (capacity == 720).all()
    assert demand[:2].tolist() == [50, 4] and xy[0].tolist() == [409154, 435528]
    assert (sjc != np.floor(sjc)).any()                            # real Euclidean


def test_pmedcap01_reaches_published_optimum() -> None:
    cost, p, demand, capacity, _ = bench_cpmp.read_cpmp(DATA / "cpmp" / "pmedcap01.txt")
    res = solve_capacitated_pmedian(cost, p, demand, capacity,
                                    options=SolveOptions(time_limit=60, mip_gap=0.0))
    assert res.status == "optimal" and res.objective == 713
    assert not res.restricted
    load = np.bincount(res.assignment, weights=demand, minlength=50)
    assert (load <= capacity).all()


def test_capacitated_infeasible_says_by_how_much() -> None:
    cost = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]], dtype=float)
    with pytest.raises(InfeasibleError, match=r"2 largest capacities sum to 9 < total "
                                              r"demand 12"):
        solve_capacitated_pmedian(cost, 2, [4, 4, 4], [5, 4, 3])
    with pytest.raises(InfeasibleError, match=r"demand 7 > capacity 6"):
        solve_capacitated_pmedian(cost, 2, [7, 1, 1], [6, 6, 6])
    # the totals fit but single-sourcing does not: HiGHS proves it
    res = solve_capacitated_pmedian(cost, 2, [3, 3, 3], [5, 5, 5], options=EXACT)
    assert res.status == "infeasible" and "capacities" in res.message


def test_candidate_k_marks_the_restriction() -> None:
    rng = np.random.default_rng(0)
    xy = rng.random((30, 2))
    cost = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    demand, capacity = np.ones(30), np.full(30, 12.0)
    full = solve_capacitated_pmedian(cost, 3, demand, capacity, options=EXACT)
    cut = solve_capacitated_pmedian(cost, 3, demand, capacity, options=EXACT, candidate_k=8)
    assert cut.restricted and "restricted" in cut.message and not full.restricted
    assert cut.model["pairs"] < full.model["pairs"]
    if cut.objective is not None:
        assert cut.objective >= full.objective - 1e-9
        load = np.bincount(cut.assignment, weights=demand, minlength=30)
        assert (load <= capacity).all()


# --------------------------------------------------------------------------- solver options


def _random_plane(n: int, seed: int) -> np.ndarray:
    xy = np.random.default_rng(seed).random((n, 2)) * 1000
    return np.floor(np.linalg.norm(xy[:, None] - xy[None], axis=2))


def test_time_limit_is_honoured() -> None:
    cost = _random_plane(500, 1)
    limit = 1.0
    res = solve_pmedian(cost, 10, options=SolveOptions(time_limit=limit, mip_gap=0.0))
    assert res.status in ("feasible", "no_solution", "optimal")
    assert res.report.seconds < limit + 5
    if res.status == "feasible":                  # the start plan at least, with a bound
        assert res.objective is not None and len(res.open_sites) == 10
        assert res.bound is not None and res.bound <= res.objective and res.message
    demand = np.random.default_rng(2).integers(1, 20, 500).astype(float)
    capacity = np.full(500, demand.sum() / 9)
    res = solve_capacitated_pmedian(cost, 10, demand, capacity,
                                    options=SolveOptions(time_limit=limit, mip_gap=0.0))
    assert res.status in ("feasible", "no_solution")
    assert res.report.seconds < limit + 5


def test_gap_and_seed_reach_highs() -> None:
    cost = _random_plane(60, 5)
    loose = solve_pmedian(cost, 4, options=SolveOptions(mip_gap=0.5, seed=1, threads=1))
    assert loose.status == "optimal" and loose.gap is not None and loose.gap <= 0.5 + 1e-9
    a = solve_pmedian(cost, 4, options=SolveOptions(mip_gap=0.0, seed=7, threads=1))
    b = solve_pmedian(cost, 4, options=SolveOptions(mip_gap=0.0, seed=7, threads=1))
    assert a.objective == b.objective and a.open_sites.tolist() == b.open_sites.tolist()
    with pytest.raises(ValueError, match="mip_gap"):
        SolveOptions(mip_gap=1.5)


def test_bad_inputs_are_named() -> None:
    cost = np.ones((3, 3))
    with pytest.raises(ValueError, match="'p' parameter"):
        solve_pmedian(cost, 0)
    with pytest.raises(InfeasibleError, match="only 2 of 3"):
        solve_pmedian(cost, 3, fixed_closed=[0])
    with pytest.raises(ValueError, match="both fixed open and fixed closed"):
        solve_pmedian(cost, 2, fixed_open=[1], fixed_closed=[1])
    with pytest.raises(InfeasibleError, match="no allowed site"):
        solve_pmedian(np.array([[1.0, np.inf], [np.inf, np.inf]]), 1)
    with pytest.raises(ValueError, match="NaN"):
        solve_pmedian(np.array([[np.nan]]), 1)
