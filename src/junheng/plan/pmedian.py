r"""Choose school sites: the p-median problem, uncapacitated and capacitated (选址).

Pure functions on matrices. ``cost[i, j]`` is the cost (distance, minutes, …) of serving
client ``i`` (a village, a grid cell) from candidate site ``j``; ``inf`` marks a pair that is
not allowed (beyond the longest acceptable trip). Nothing here knows about census sheets.

Uncapacitated p-median — :func:`solve_pmedian`
-----------------------------------------------
Exact, with HiGHS, on the *distance-level* ("radius") formulation of Cornuéjols, Nemhauser
and Wolsey (1980), in the incremental form of Elloumi (2010). For client :math:`i` let
:math:`D_i^1 < D_i^2 < \dots < D_i^{K_i}` be the distinct values of its cost row (after the
reductions below). With :math:`y_j \in \{0,1\}` (site :math:`j` open) and
:math:`z_i^k \ge 0` ("no open site within :math:`D_i^k`"):

.. math::

   \begin{array}{lll}
   \textbf{Minimise} & \displaystyle\sum_i a_i \Big(D_i^1 + \sum_{k=1}^{K_i-1}
        (D_i^{k+1} - D_i^k)\, z_i^k\Big) & (1)\\
   \textbf{s.t.}     & \displaystyle 1 - z_i^1 - \sum_{j:\, d_{ij} = D_i^1} y_j \le 0
        & \forall i \quad (2)\\
                     & \displaystyle z_i^{k-1} - z_i^k - \sum_{j:\, d_{ij} = D_i^k} y_j \le 0
        & \forall i,\ 2 \le k \le K_i,\ z_i^{K_i} \equiv 0 \quad (3)\\
                     & \displaystyle \sum_j y_j = p & (4)\\
                     & y_j \in \{0, 1\},\ 0 \le z_i^k \le 1 & (5)
   \end{array}

where :math:`a_i` is the client's weight (pupils). Summing (2)–(3) up to level :math:`k`
gives the covering row :math:`z_i^k + \sum_{j: d_{ij} \le D_i^k} y_j \ge 1` of Cornuéjols
et al., so both forms have the same LP relaxation, at least as strong as that of the
classic :math:`x_{ij} \le y_j` model (Elloumi 2010). The chain has one row per (client,
distinct cost) and each :math:`y_j` appears once per client: at most :math:`nm` non-zeros
for the :math:`y` plus two per :math:`z`, instead of :math:`nm` variables and :math:`nm`
linking rows (classic) or :math:`O(nm^2)` non-zeros (covering form). Built with numpy and
``scipy.sparse`` in one pass (argsort of each row, level numbers by cumulative sums).

Reductions (each keeps the optimum, so a bound proved on the reduced model is a bound on
the full problem):

* **Level truncation.** Only ``m − p`` of the ``m`` available sites are closed, so among any
  ``m − p + 1`` sites at least one is open: client ``i``'s nearest open site is at most its
  ``(m − p + 1)``-th smallest cost :math:`U_i`. Levels above :math:`U_i` are dropped and the
  row (3) of :math:`U_i`'s level is written with :math:`z_i^{K_i} \equiv 0` (valid: some site
  at cost :math:`\le U_i` is open). The same holds with :math:`U_i` = the cost of the
  nearest *fixed-open* site, and with :math:`U_i` = the largest finite cost (a client must be
  served by an allowed site — this row is what makes ``inf`` pairs forbidden). Elloumi
  (2010) uses the first of these; they can only tighten the LP.
* **Merged clients.** Clients with identical cost rows have identical chains; one chain with
  the summed weight has the same objective for every choice of sites.
* **Zero-weight clients** add nothing to (1): dropped when every site may serve them, kept as
  the single covering row "some allowed site is open" otherwise.
* **Fixed sites.** ``fixed_closed`` columns are removed; ``fixed_open`` sites get
  :math:`y_j = 1`.
* **Sites fixed by bounds.** With an incumbent of cost ``UB`` and Lagrangian multipliers
  (assignment rows relaxed, subgradient steps; Beasley 1993), a site whose opening forces
  the Lagrangian bound above ``UB`` (``UB − 1`` for integer data) cannot be in a better plan
  and is removed; a site whose closing does so is fixed open. Plans outside the reduced
  model cost at least ``UB``, so the reported bound is ``min(bound, UB)``.

Solving, in order: a greedy start improved by vertex substitution (Teitz & Bart 1968, with
the fast swap evaluation of Whitaker 1983 / Resende & Werneck 2007, vectorised); the
Lagrangian bound and site fixing above (its selections are also priced as plans); then
HiGHS on radius *relaxations* (García, Labbé & Marín 2011): client ``i`` keeps only the
levels up to a little beyond its cost in the incumbent, the last :math:`z_i^{K}` kept free
with cost :math:`D_i^{K+1} - D_i^K` (a lower estimate of the dropped tail). Dropping levels
relaxes (1)–(5), so HiGHS's bound is valid; when the relaxed optimum serves a client beyond
its kept levels, those clients get more levels and the model is solved again, until the
incumbent is proved optimal (within ``mip_gap``; a gap below 1 closes it when all costs and
weights are integers) or the time limit is reached. Each client is finally assigned to its
nearest open site and the objective is recomputed from the original matrix.

Capacitated p-median — :func:`solve_capacitated_pmedian`
---------------------------------------------------------
The classic single-source model (Mulvey & Beck 1984; Osman & Christofides 1994), built as
one sparse matrix: :math:`x_{ij}, y_j \in \{0,1\}`,

.. math::

   \min \sum_{ij} a_i d_{ij} x_{ij} \quad\text{s.t.}\quad \sum_j x_{ij} = 1,\quad
   \sum_i q_i x_{ij} \le Q_j y_j,\quad x_{ij} \le y_j,\quad \sum_j y_j = p.

Before solving, a feasibility check quotes numbers ("the p largest capacities sum to X <
total demand Y"; "demand 7 > capacity 6"). A location–allocation start (seed medians by
the uncapacitated local search, or D²-sampling and Voronoi iterations on large inputs;
then alternate a capacitated assignment solved by HiGHS and moving each median to its
cluster's best site) is handed to HiGHS. ``candidate_k`` keeps only each client's ``k``
nearest sites (plus the start plan's pairs): the model is then a *restriction* — its plans
are feasible for the full problem, but its bound is a bound for the restricted model only,
and the result says so (``restricted=True``).

References
----------
* G. Cornuéjols, G.L. Nemhauser, L.A. Wolsey, "A canonical representation of simple plant
  location problems and its applications", *SIAM J. Algebraic Discrete Methods* 1(3) (1980)
  261–272.
* S. Elloumi, "A tighter formulation of the p-median problem", *J. Combinatorial
  Optimization* 19 (2010) 69–83.
* M.B. Teitz, P. Bart, "Heuristic methods for estimating the generalized vertex median of a
  weighted graph", *Operations Research* 16(5) (1968) 955–961.
* R.A. Whitaker, "A fast algorithm for the greedy interchange for large-scale clustering
  and median location problems", *INFOR* 21(2) (1983) 95–108.
* M.G.C. Resende, R.F. Werneck, "A fast swap-based local search procedure for location
  problems", *Annals of Operations Research* 150 (2007) 205–230.
* J.E. Beasley, "Lagrangean heuristics for location problems", *EJOR* 65 (1993) 383–399.
* S. García, M. Labbé, A. Marín, "Solving large p-median problems with a radius
  formulation", *INFORMS J. Computing* 23(4) (2011) 546–556.
* L. Cooper, "Heuristic methods for location-allocation problems", *SIAM Review* 6(1)
  (1964) 37–53.
* J.M. Mulvey, M.P. Beck, "Solving capacitated clustering problems", *EJOR* 18(3) (1984)
  339–348.
* I.H. Osman, N. Christofides, "Capacitated clustering problems by hybrid simulated
  annealing and tabu search", *Int. Trans. Oper. Res.* 1(3) (1994) 317–336.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from junheng.plan.solver import InfeasibleError, SolveOptions, SolveReport, Status, solve_mip

__all__ = ["PMedianResult", "solve_capacitated_pmedian", "solve_pmedian"]


@dataclass
class PMedianResult:
    """A set of open sites and the site serving each client.

    ``status`` is ``optimal`` (within ``options.mip_gap``), ``feasible`` (a plan, with the
    proven ``bound`` and ``gap`` when there is one), ``infeasible`` or ``no_solution``.
    ``open_sites`` are column indices of ``cost`` (sorted); ``assignment[i]`` is the column
    serving client ``i`` (−1 when there is no plan). ``objective`` is recomputed from
    ``cost`` (and ``weights``). ``restricted`` is True when the model kept only some pairs
    (``candidate_k``): the bound then holds for that restricted model, not the full problem.
    """

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    open_sites: np.ndarray
    assignment: np.ndarray
    report: SolveReport
    restricted: bool = False
    message: str = ""
    model: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "objective": self.objective, "bound": self.bound,
                "gap": self.gap, "open_sites": self.open_sites.tolist(),
                "restricted": self.restricted, "message": self.message, "model": self.model,
                "report": self.report.to_dict()}


# --------------------------------------------------------------------------- validation


def _check_cost(cost: Any) -> np.ndarray:
    c = np.asarray(cost, dtype=float)
    if c.ndim != 2 or c.shape[0] == 0 or c.shape[1] == 0:
        raise ValueError(f"cost must be a non-empty clients × sites matrix, got shape {c.shape}")
    if np.isnan(c).any():
        raise ValueError("cost contains NaN; use inf for a forbidden client–site pair")
    if np.isneginf(c).any():
        raise ValueError("cost contains -inf")
    return c


def _check_vector(name: str, v: Any, n: int, default: float | None) -> np.ndarray:
    if v is None:
        if default is None:
            raise ValueError(f"{name} is required")
        return np.full(n, default, dtype=float)
    a = np.asarray(v, dtype=float).reshape(-1)
    if a.shape != (n,):
        raise ValueError(f"{name} must have one value per row/column ({n}), got {a.shape}")
    if not np.isfinite(a).all() or (a < 0).any():
        raise ValueError(f"{name} must be finite and ≥ 0")
    return a


def _check_sites(name: str, sites: Iterable[int], m: int) -> np.ndarray:
    s = np.asarray(list(sites), dtype=np.int64).reshape(-1)
    if s.size and (s.min() < 0 or s.max() >= m):
        raise ValueError(f"{name} must be site indices in [0, {m}), got {s.tolist()}")
    if np.unique(s).size != s.size:
        raise ValueError(f"{name} has repeated sites: {s.tolist()}")
    return s


def _check_p(p: Any, m: int) -> int:
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 1:
        raise ValueError(f"The 'p' parameter must be an int in the range [1, {m}]. Got {p!r}.")
    return int(p)


def _empty_report(status: Status, seconds: float, **detail: Any) -> SolveReport:
    return SolveReport(status, None, None, None, seconds, "none", detail=dict(detail))


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not np.isfinite(bound):
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


# --------------------------------------------------------------------------- heuristic


def _nearest_two(D: np.ndarray, open_idx: np.ndarray, big: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cost to the nearest and second-nearest open site and the nearest's position."""
    sub = D[:, open_idx]
    n = D.shape[0]
    if sub.shape[1] == 1:
        return sub[:, 0].copy(), np.full(n, big), np.zeros(n, dtype=np.int64)
    part = np.argpartition(sub, 1, axis=1)[:, :2]
    two = np.take_along_axis(sub, part, axis=1)
    first = np.argmin(two, axis=1)
    rows = np.arange(n)
    c1 = part[rows, first]
    return two[rows, first], two[rows, 1 - first], c1


def _local_search(D: np.ndarray, w: np.ndarray, p: int, fixed_open: np.ndarray,
                  deadline: float, init: np.ndarray | None = None) -> np.ndarray:
    """Greedy addition then best-improvement vertex substitution; returns ``p`` site indices.

    ``D`` must be finite (forbidden pairs replaced by a large cost). Each swap round costs a
    few passes over ``D``: for every candidate ``j`` and open site ``r``, the change of
    removing ``r`` and adding ``j`` is ``gain(j) + loss(r, j)`` with
    ``gain(j) = Σ_i w_i (min(d_ij, d1_i) − d1_i)`` and
    ``loss(r, j) = Σ_{i: c1_i = r} w_i (min(d_ij, d2_i) − min(d_ij, d1_i))``.
    """
    n, m = D.shape
    big = float(D.max()) * 2 + 1
    is_open = np.zeros(m, dtype=bool)
    is_open[fixed_open] = True
    if init is not None:
        is_open[init] = True
    start = np.flatnonzero(is_open)
    d1 = D[:, start].min(axis=1) if start.size else np.full(n, big)
    # greedy addition
    while is_open.sum() < p:
        totals = (w[:, None] * np.minimum(D, d1[:, None])).sum(axis=0)
        totals[is_open] = np.inf
        j = int(np.argmin(totals))
        is_open[j] = True
        d1 = np.minimum(d1, D[:, j])
    fixed = np.zeros(m, dtype=bool)
    fixed[fixed_open] = True
    # vertex substitution
    while time.perf_counter() < deadline:
        open_idx = np.flatnonzero(is_open)
        d1, d2, c1 = _nearest_two(D, open_idx, big)
        current = float(w @ d1)
        A = np.minimum(D, d1[:, None])
        gain = w @ A - current                                    # (m,)
        T = w[:, None] * (np.minimum(D, d2[:, None]) - A)         # (n, m) ≥ 0
        onehot = sp.csr_matrix((np.ones(n), (c1, np.arange(n))), shape=(open_idx.size, n))
        loss = np.asarray(onehot @ T)                             # (p, m)
        delta = gain[None, :] + loss
        delta[:, is_open] = np.inf
        delta[fixed[open_idx], :] = np.inf
        r, j = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if not delta[r, j] < -1e-9 * max(1.0, abs(current)):
            break
        is_open[open_idx[r]] = False
        is_open[j] = True
    return np.flatnonzero(is_open)


# --------------------------------------------------------------------------- uncapacitated


def solve_pmedian(cost: Any, p: int, *, weights: Any = None,
                  options: SolveOptions = SolveOptions(),  # noqa: B008 (frozen)
                  fixed_open: Iterable[int] = (), fixed_closed: Iterable[int] = (),
                  heuristic_share: float = 0.2,
                  highs_options: dict[str, Any] | None = None) -> PMedianResult:
    """Open ``p`` sites minimising ``Σ_i weights_i · cost[i, nearest open site]`` (exact).

    Parameters
    ----------
    cost : (n, m) array
        Client–site costs; ``inf`` forbids a pair.
    p : int
        Number of sites to open, ``1 ≤ p ≤`` available sites.
    weights : (n,) array, optional
        Client weights (pupils); default 1 each.
    options : SolveOptions
        ``time_limit`` covers the whole call (start heuristic, model build, HiGHS);
        ``mip_gap``, ``seed`` and ``threads`` go to HiGHS.
    fixed_open, fixed_closed : iterables of site indices
        Sites that must stay open / may not be opened.
    heuristic_share : float
        At most this share of ``time_limit`` goes to the start heuristic, and as much to the
        Lagrangian bound.
    highs_options : dict, optional
        Extra HiGHS options passed through :func:`~junheng.plan.solver.solve_mip`.

    Returns
    -------
    PMedianResult
        ``status`` ``optimal`` or ``feasible`` (with bound and gap), ``infeasible`` (no
        ``p`` allowed sites serve every client) or ``no_solution``. ``model`` records the
        reductions and every HiGHS round (rows, non-zeros, status, seconds).

    Raises
    ------
    InfeasibleError
        When ``p`` exceeds the available sites, ``fixed_open`` has more than ``p`` sites, or
        a client has no allowed site.

    Examples
    --------
    >>> import numpy as np
    >>> cost = np.array([[0, 4, 9], [4, 0, 5], [9, 5, 0], [8, 4, 1]], dtype=float)
    >>> r = solve_pmedian(cost, 1)
    >>> r.status, r.open_sites.tolist(), r.objective
    ('optimal', [1], 13.0)
    """
    t0 = time.perf_counter()
    C = _check_cost(cost)
    n, m = C.shape
    p = _check_p(p, m)
    w_all = _check_vector("weights", weights, n, 1.0)
    f_open = _check_sites("fixed_open", fixed_open, m)
    f_closed = _check_sites("fixed_closed", fixed_closed, m)
    both = np.intersect1d(f_open, f_closed)
    if both.size:
        raise ValueError(f"sites {both.tolist()} are both fixed open and fixed closed")
    avail = np.ones(m, dtype=bool)
    avail[f_closed] = False
    sites = np.flatnonzero(avail)               # model column -> cost column
    m_av = sites.size
    if p > m_av:
        raise InfeasibleError(
            [f"要开设 {p} 所学校，但只有 {m_av} 个可用校址"
             f"（{m} 个候选，{f_closed.size} 个被排除）"],
            [f"p = {p} sites must open but only {m_av} of {m} candidate sites are available "
             f"({f_closed.size} fixed closed)"])
    if f_open.size > p:
        raise InfeasibleError(
            [f"必须保留的学校有 {f_open.size} 所，多于 p = {p}"],
            [f"{f_open.size} sites are fixed open, more than p = {p}"])
    Ca = C[:, sites]
    col_of = np.full(m, -1, dtype=np.int64)
    col_of[sites] = np.arange(m_av)
    fo = col_of[f_open]                          # fixed open, model columns
    finite = np.isfinite(Ca)
    no_site = np.flatnonzero(~finite.any(axis=1))
    if no_site.size:
        raise InfeasibleError(
            [f"{no_site.size} 个需求点没有可达校址（如第 {no_site[:5].tolist()} 行）"],
            [f"{no_site.size} clients have no allowed site (rows {no_site[:5].tolist()} …)"])

    # ---- client reductions: zero weights, identical rows
    keep = (w_all > 0) | ~finite.all(axis=1)
    R = Ca[keep]
    wr = w_all[keep]
    zero = wr == 0
    if zero.any():                               # only "some allowed site is open" matters
        R = R.copy()
        R[zero] = np.where(np.isfinite(R[zero]), 0.0, np.inf)
    if R.shape[0] > 1:
        R, inverse = np.unique(R, axis=0, return_inverse=True)
        wr = np.bincount(inverse.reshape(-1), weights=wr, minlength=R.shape[0])
    nr = R.shape[0]

    if nr == 0:                                  # every weight is 0 and every pair allowed
        chosen = np.union1d(fo, np.setdiff1d(np.arange(m_av), fo)[: p - fo.size])
        return _pmedian_result(C, w_all, sites, chosen, "optimal", 0.0, t0, None, {}, "")

    # ---- start: greedy + vertex substitution
    finite_max = float(R[np.isfinite(R)].max()) if np.isfinite(R).any() else 0.0
    bigc = (abs(finite_max) + 1.0) * (float(wr.sum()) + 1.0) * 4.0
    Dh = np.where(np.isfinite(R), R, bigc)
    share = heuristic_share * options.time_limit

    def local_search(init: np.ndarray | None, seconds: float) -> tuple[np.ndarray | None,
                                                                         float | None]:
        chosen = _local_search(Dh, wr, p, fo, time.perf_counter() + seconds, init)
        d1 = Dh[:, chosen].min(axis=1)
        return (chosen, float(wr @ d1)) if (d1 < bigc).all() else (None, None)

    best_sites, best_val = local_search(None, share)
    heur_obj = best_val
    t_heur = time.perf_counter() - t0

    # ---- Lagrangian bound, better start, site fixing (Beasley 1993)
    integral = bool(np.all(wr == np.round(wr)) and
                    np.all(R[np.isfinite(R)] == np.round(R[np.isfinite(R)])))
    lower = -np.inf                               # best proven bound, full problem
    cols = np.arange(m_av)                        # model columns kept after fixing
    fo_k = fo
    ub_fix: float | None = None                   # plans outside `cols` cost ≥ ub_fix
    lam: np.ndarray | None = None
    n_fixed_open = 0
    lag_best = -np.inf

    def refix(seconds: float) -> None:
        nonlocal lower, cols, fo_k, ub_fix, lam, best_sites, best_val, n_fixed_open, lag_best
        assert best_val is not None
        lag = _lagrangian(R, wr, p, fo, best_val, integral, time.perf_counter() + seconds, lam)
        lower = max(lower, lag.bound)
        lag_best = max(lag_best, lag.bound)
        lam = lag.lam
        if lag.primal_value < best_val - 1e-9 * max(1.0, abs(best_val)):
            better, value = local_search(lag.primal, seconds / 2)
            if value is not None and value < best_val:
                best_sites, best_val = better, value
                lag = _lagrangian(R, wr, p, fo, best_val, integral,
                                  time.perf_counter() + seconds / 2, lam)
                lower = max(lower, lag.bound)
        if lag.closed.any() or lag.opened.any():
            ub_fix = best_val
            opened = np.union1d(fo, np.flatnonzero(lag.opened))
            cols = cols[~lag.closed[cols]]
            fo_k = np.searchsorted(cols, np.intersect1d(opened, cols))
            n_fixed_open = int(fo_k.size - fo.size)

    if best_val is not None:
        refix(share)
    t_lag = time.perf_counter() - t0 - t_heur

    def proved() -> bool:
        if best_val is None:
            return False
        tol = max(options.mip_gap * abs(best_val), 1e-9 * max(1.0, abs(best_val))) + 1e-6
        if integral:
            tol = max(tol, 1 - 1e-6)              # integer costs: a gap below 1 is closed
        return best_val - lower <= tol

    # ---- radius models: relaxations widened until their plan is priced exactly
    rounds: list[dict[str, Any]] = []
    last: SolveReport | None = None
    infeasible = False
    nodes = 0
    levels: _Levels | None = None
    K = np.zeros(nr, dtype=np.int64)
    while not proved():
        if levels is None:
            levels = _Levels(R[:, cols], p, fo_k)
            K = levels.K_exact.copy()
            if best_sites is not None:
                need = levels.count_le(R[:, best_sites].min(axis=1))
                K = np.clip(need + np.ceil(_INIT_MARGIN * (K - need)).astype(np.int64), 1, K)
        remaining = options.time_limit - (time.perf_counter() - t0)
        if rounds and remaining < 0.05:
            break
        model = levels.build(K, wr, p)
        lb = np.zeros(model["ncols"])
        lb[fo_k] = 1.0
        x0 = None
        if best_sites is not None and np.isin(best_sites, cols).all():
            x0 = model["start"](np.searchsorted(cols, best_sites))
        sub_options = dataclasses.replace(options, time_limit=max(remaining, 0.05))
        last, x = solve_mip(model["c"], model["A"], model["row_lb"], model["row_ub"], lb,
                            model["ub"], model["integer"], sub_options,
                            offset=model["offset"], start=x0, highs_options=highs_options)
        nodes += last.nodes or 0
        rounds.append({"sites": int(cols.size), "rows": int(model["A"].shape[0]),
                       "cols": model["ncols"], "nonzeros": int(model["A"].nnz),
                       "relaxed_clients": model["relaxed"], "status": last.status,
                       "bound": (last.bound if last.bound is not None and
                                 np.isfinite(last.bound) else None),
                       "seconds": round(last.seconds, 3)})
        if last.status == "infeasible":
            if ub_fix is None:                    # a relaxation of the whole problem
                infeasible = True
                break
            lower = max(lower, ub_fix)            # nothing better than the incumbent
            continue
        if last.bound is not None and np.isfinite(last.bound):
            lower = max(lower, last.bound if ub_fix is None else min(last.bound, ub_fix))
        if x is None:
            break
        chosen = cols[np.flatnonzero(x[: cols.size] > 0.5)]
        d1 = R[:, chosen].min(axis=1)
        value = float(wr @ d1)
        improved = best_val is None or value < best_val
        if improved:
            best_sites, best_val = chosen, value
        if proved() or last.status != "optimal":  # proved, or time ran out in this round
            break
        if improved and ub_fix is not None:      # a better incumbent fixes more sites
            before = cols.size
            refix(min(share, 0.1 * max(remaining, 0.0)))
            if cols.size < before:
                levels = None
                continue
        need = levels.count_le(d1)
        grow = need > K
        if not grow.any():                       # cannot happen: priced exactly yet not proven
            break
        need = need + np.ceil(_GROW_MARGIN * (levels.K_exact - need)).astype(np.int64)
        K[grow] = np.minimum(levels.K_exact[grow], need[grow])

    info = {"clients": n, "sites": m, "model_clients": nr, "model_sites": int(cols.size),
            "rounds": rounds, "heuristic_objective": heur_obj,
            "heuristic_seconds": round(t_heur, 3),
            "lagrangian_bound": float(lag_best) if np.isfinite(lag_best) else None,
            "lagrangian_seconds": round(t_lag, 3),
            "fixed_by_bound": {"closed": int(m_av - cols.size), "open": n_fixed_open}}
    if infeasible:
        assert last is not None
        report = SolveReport("infeasible", None, None, None, time.perf_counter() - t0,
                             last.solver, nodes, detail=dict(last.detail))
        return PMedianResult("infeasible", None, None, None, np.array([], dtype=np.int64),
                             np.full(n, -1, dtype=np.int64), report, False,
                             "HiGHS proved that no p sites can serve every client", info)
    bound = float(lower) if np.isfinite(lower) else None
    if bound is not None and integral:
        bound = float(np.ceil(bound - 1e-6))      # integer costs: every plan costs an integer
    status: Status = "optimal" if proved() else ("feasible" if best_sites is not None
                                                 else "no_solution")
    message = {"optimal": "", "feasible": "time limit reached; best plan found, see gap",
               "no_solution": "no plan found within the time limit"}[status]
    return _pmedian_result(C, w_all, sites, best_sites, status, bound, t0, last,
                           {**info, "nodes": nodes}, message)


_INIT_MARGIN = 0.2   # share of the remaining levels added to the start plan's radius
_GROW_MARGIN = 0.5   # … and to a client whose radius a relaxed plan exceeded


def _pmedian_result(C: np.ndarray, w: np.ndarray, sites: np.ndarray,
                    chosen: np.ndarray | None, status: Status, bound: float | None,
                    t0: float, last: SolveReport | None, info: dict[str, Any],
                    message: str) -> PMedianResult:
    """Assign each client to its nearest open site and price the plan on ``C``."""
    seconds = time.perf_counter() - t0
    solver = last.solver if last is not None else "junheng (heuristic + Lagrangian bound)"
    detail = {**(last.detail if last is not None else {}), "rounds": len(info.get("rounds", []))}
    n = C.shape[0]
    if chosen is None:
        report = SolveReport(status, None, bound, None, seconds, solver, info.get("nodes"),
                             detail=detail)
        return PMedianResult(status, None, bound, None, np.array([], dtype=np.int64),
                             np.full(n, -1, dtype=np.int64), report, False, message, info)
    open_cols = np.sort(sites[chosen])
    sub = C[:, open_cols]
    assignment = open_cols[np.argmin(sub, axis=1)]
    objective = float(w @ sub.min(axis=1))
    if bound is not None:
        bound = min(bound, objective)
    gap = _gap(objective, bound)
    report = SolveReport(status, objective, bound, gap, seconds, solver, info.get("nodes"),
                         detail=detail)
    return PMedianResult(status, objective, bound, gap, open_cols, assignment, report, False,
                         message, info)


@dataclass
class _Lagrange:
    bound: float
    closed: np.ndarray
    opened: np.ndarray
    lam: np.ndarray
    primal: np.ndarray
    primal_value: float


def _lagrangian(D: np.ndarray, w: np.ndarray, p: int, fixed_open: np.ndarray, ub: float,
                integral: bool, deadline: float, lam0: np.ndarray | None = None,
                max_iter: int = 2000) -> _Lagrange:
    """Lagrangian bound of the p-median (assignment rows relaxed) and the sites it fixes.

    For multipliers λ, ``L(λ) = Σ_i λ_i + Σ_{p smallest} ρ_j`` with
    ``ρ_j = Σ_i min(0, w_i d_ij − λ_i)`` is a lower bound whose maximum equals the LP bound
    (Cornuéjols, Fisher & Nemhauser 1977); λ follows subgradient steps (Held, Wolfe &
    Crowder 1974; Beasley 1993). A site ``j`` outside the best selection is closed when
    ``L − ρ_(p) + ρ_j`` — a bound on every plan that opens ``j`` — shows that no such plan
    beats ``ub``; a selected site is fixed open when ``L − ρ_j + ρ_(p+1)`` does the same for
    every plan without it. Each selection is also priced as a plan (a Lagrangian heuristic).
    """
    m = D.shape[1]
    allowed = np.isfinite(D)
    WD = np.where(allowed, w[:, None] * np.where(allowed, D, 0.0), np.inf)
    forced = np.zeros(m, dtype=bool)
    forced[fixed_open] = True
    free_p = p - int(forced.sum())
    if lam0 is not None:
        lam = lam0.copy()
    else:
        two = np.partition(WD, 1, axis=1)[:, :2] if m > 1 else np.repeat(WD, 2, axis=1)
        lam = np.where(np.isfinite(two[:, 1]), two.mean(axis=1), two[:, 0])
    best, best_lam = -np.inf, lam.copy()
    primal, primal_value = np.flatnonzero(forced), np.inf
    theta, stall = (0.5 if lam0 is not None else 2.0), 0
    limit = ub - 1 + 1e-6 if integral else ub + 1e-9 * max(1.0, abs(ub))

    def evaluate(lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        rho = np.minimum(0.0, WD - lam[:, None]).sum(axis=0)
        free = np.where(forced, np.inf, rho)
        pick = (np.argpartition(free, free_p - 1)[:free_p] if free_p > 0
                else np.array([], dtype=np.int64))
        chosen = np.union1d(pick, np.flatnonzero(forced)).astype(np.int64)
        return float(lam.sum() + rho[chosen].sum()), rho, chosen

    for _ in range(max_iter):
        value, _rho, chosen = evaluate(lam)
        near = D[:, chosen].min(axis=1)
        priced = float(w @ near) if np.isfinite(near).all() else np.inf
        if priced < primal_value:
            primal, primal_value = chosen, priced
        if value > best + 1e-9 * max(1.0, abs(best) if np.isfinite(best) else 1.0):
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 30:
                theta, stall = theta / 2, 0
        if theta < 1e-4 or best >= limit or time.perf_counter() > deadline:
            break
        g = 1.0 - (WD[:, chosen] < lam[:, None]).sum(axis=1)
        norm = float(g @ g)
        if norm == 0:                             # the relaxed plan is feasible: L is exact
            break
        lam = np.maximum(0.0, lam + theta * (min(ub, primal_value) - value) / norm * g)
    closed = np.zeros(m, dtype=bool)
    opened = np.zeros(m, dtype=bool)
    best, rho, chosen = evaluate(best_lam)
    in_sel = np.zeros(m, dtype=bool)
    in_sel[chosen] = True
    free_sel = in_sel & ~forced
    if free_p > 0:
        worst_in = rho[free_sel].max()                           # ρ_(p) among free picks
        outside = ~in_sel
        closed = outside & (best - worst_in + rho > limit)
        if outside.any():
            best_out = rho[outside].min()                         # ρ_(p+1)
            opened = free_sel & (best - rho + best_out > limit)
        else:
            opened = free_sel.copy()
    return _Lagrange(best, closed, opened, best_lam, primal, primal_value)


class _Levels:
    """Sorted cost rows and their distinct levels, shared by the radius models.

    ``K_exact[i]`` is the number of levels the exact model keeps for client ``i`` (after
    the truncations of the module docstring).
    """

    def __init__(self, R: np.ndarray, p: int, fixed_open: np.ndarray) -> None:
        nr, m = R.shape
        self.R, self.m = R, m
        order = np.argsort(R, axis=1, kind="stable")
        S = np.take_along_axis(R, order, axis=1)
        new = np.ones((nr, m), dtype=bool)
        new[:, 1:] = S[:, 1:] != S[:, :-1]
        lev = np.cumsum(new, axis=1) - 1                  # 0-based level of each position
        nfinite = np.isfinite(S).sum(axis=1)
        cap = np.minimum(m - p, nfinite - 1)             # position of U_i
        if fixed_open.size:
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, np.broadcast_to(np.arange(m), (nr, m)), axis=1)
            cap = np.minimum(cap, rank[:, fixed_open].min(axis=1))
        self.K_exact = lev[np.arange(nr), cap] + 1
        self.order, self.S, self.new, self.lev = order, S, new, lev
        self.dist = S[new]                                # D_i^k = dist[doff_i + k - 1]
        self.doff = np.concatenate(([0], np.cumsum(new.sum(axis=1))))

    def count_le(self, u: np.ndarray) -> np.ndarray:
        """Number of distinct levels ≤ ``u_i`` per client (the level index of ``u_i``)."""
        return ((self.S <= u[:, None]) & self.new).sum(axis=1)

    def build(self, K: np.ndarray, wr: np.ndarray, p: int) -> dict[str, Any]:
        """The model keeping ``K_i ≤ K_exact[i]`` levels per client.

        Clients with ``K_i = K_exact[i]`` get the exact chain (``z_i^{K_i} ≡ 0``). Clients
        with fewer levels keep ``z_i^{K_i}`` with cost ``D_i^{K_i+1} − D_i^{K_i}`` and lose
        the levels above: a relaxation, exact for every plan that serves them within
        ``D_i^{K_i}``. Columns: ``y`` (m) then ``z``; rows: ``K_i`` per client, then Σy = p.
        """
        t0 = time.perf_counter()
        nr, m = self.S.shape
        relaxed = K < self.K_exact
        rows_i = np.arange(nr)
        nzc = K - 1 + relaxed                             # z variables per client
        roff = np.concatenate(([0], np.cumsum(K)))
        zoff = np.concatenate(([0], np.cumsum(nzc)))
        nzv = int(zoff[-1])
        nrows = int(roff[-1]) + 1
        ncols = m + nzv
        # y entries: site order[i, pos] in row roff_i + lev[i, pos] when lev < K_i
        yi, ypos = np.nonzero(self.lev < K[:, None])
        y_rows = roff[yi] + self.lev[yi, ypos]
        y_cols = self.order[yi, ypos]
        # z_i^{t+1} (t = 0..nzc_i-1): -1 in the client's row t, +1 in row t+1 (if kept)
        zc = np.repeat(rows_i, nzc)
        t = np.arange(nzv) - zoff[zc]
        z_cols = m + np.arange(nzv)
        nxt = t + 1 < K[zc]
        rows = np.concatenate([y_rows, roff[zc] + t, (roff[zc] + t + 1)[nxt],
                               np.full(m, nrows - 1)])
        cols = np.concatenate([y_cols, z_cols, z_cols[nxt], np.arange(m)])
        vals = np.concatenate([-np.ones(y_rows.size), -np.ones(nzv), np.ones(int(nxt.sum())),
                               np.ones(m)])
        A = sp.csc_matrix((vals, (rows, cols)), shape=(nrows, ncols))
        row_ub = np.zeros(nrows)
        row_ub[roff[:-1]] = -1.0
        row_ub[-1] = p
        row_lb = np.full(nrows, -np.inf)
        row_lb[-1] = p
        c = np.zeros(ncols)
        lo = self.dist[self.doff[zc] + t]
        c[m:] = wr[zc] * (self.dist[self.doff[zc] + t + 1] - lo)
        offset = float(wr @ self.dist[self.doff[:-1]]) if nr else 0.0
        integer = np.zeros(ncols, dtype=bool)
        integer[:m] = True
        R = self.R

        def start(open_sites: np.ndarray) -> np.ndarray:
            x = np.zeros(ncols)
            x[open_sites] = 1.0
            d1 = R[:, open_sites].min(axis=1)
            x[m:] = (lo < d1[zc]).astype(float)
            return x

        return {"c": c, "A": A, "row_lb": row_lb, "row_ub": row_ub, "ub": np.ones(ncols),
                "integer": integer, "offset": offset, "ncols": ncols, "start": start,
                "relaxed": int(relaxed.sum()), "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------- capacitated


def solve_capacitated_pmedian(cost: Any, p: int, demand: Any, capacity: Any, *,
                              options: SolveOptions = SolveOptions(),  # noqa: B008
                              candidate_k: int | None = None, weights: Any = None,
                              fixed_open: Iterable[int] = (), fixed_closed: Iterable[int] = (),
                              heuristic_share: float = 0.3,
                              highs_options: dict[str, Any] | None = None) -> PMedianResult:
    """Open ``p`` sites and assign every client to one of them within capacities.

    Minimises ``Σ_i weights_i · cost[i, site(i)]`` subject to ``Σ_{i→j} demand_i ≤
    capacity_j``. ``weights`` defaults to 1 per client, the convention of the CPMP
    benchmarks (Osman & Christofides 1994); pass ``weights=demand`` for pupil-kilometres.

    ``candidate_k`` keeps each client's ``k`` nearest allowed sites only (``inf`` pairs are
    always dropped; the start plan's pairs are kept). The model is then a restriction: its
    plans are feasible for the full problem but its bound is not a bound for it
    (``restricted=True``, and ``message`` says so). ``heuristic_share`` of ``time_limit``
    (at most) goes to the location–allocation start; ``highs_options`` pass through to
    HiGHS. When HiGHS finds no plan in time, the start plan is returned as ``feasible``.

    Raises
    ------
    InfeasibleError
        Before solving, with the numbers, when the ``p`` largest capacities cannot hold the
        total demand, ``p`` exceeds the available sites, or a client's demand exceeds every
        capacity it can reach. When HiGHS proves the model infeasible the result has status
        ``infeasible`` and ``message`` says why it may be (e.g. the ``candidate_k``
        restriction).
    """
    t0 = time.perf_counter()
    C = _check_cost(cost)
    n, m = C.shape
    p = _check_p(p, m)
    q = _check_vector("demand", demand, n, None)
    Q = _check_vector("capacity", capacity, m, None)
    a = _check_vector("weights", weights, n, 1.0)
    f_open = _check_sites("fixed_open", fixed_open, m)
    f_closed = _check_sites("fixed_closed", fixed_closed, m)
    if candidate_k is not None and (isinstance(candidate_k, bool) or candidate_k < 1):
        raise ValueError(f"candidate_k must be an int ≥ 1 or None, got {candidate_k!r}")
    both = np.intersect1d(f_open, f_closed)
    if both.size:
        raise ValueError(f"sites {both.tolist()} are both fixed open and fixed closed")
    avail = np.ones(m, dtype=bool)
    avail[f_closed] = False
    m_av = int(avail.sum())
    reasons: list[str] = []
    reasons_en: list[str] = []
    if p > m_av:
        reasons.append(f"要开设 {p} 所学校，但只有 {m_av} 个可用校址")
        reasons_en.append(f"p = {p} sites must open but only {m_av} sites are available")
    if f_open.size > p:
        reasons.append(f"必须保留的学校有 {f_open.size} 所，多于 p = {p}")
        reasons_en.append(f"{f_open.size} sites are fixed open, more than p = {p}")
    total = float(q.sum())
    if not reasons:
        # the best p sites by capacity, fixed-open ones included
        free = np.flatnonzero(avail & ~np.isin(np.arange(m), f_open))
        top = np.sort(Q[free])[::-1][: p - f_open.size]
        best = float(Q[f_open].sum() + top.sum())
        if best < total - 1e-9 * max(1.0, total):
            reasons.append(f"容量最大的 {p} 个校址合计 {best:g}，小于总需求 {total:g}")
            reasons_en.append(f"the {p} largest capacities sum to {best:g} < total demand "
                              f"{total:g}")
    allowed = np.isfinite(C) & avail[None, :]
    reach = np.where(allowed, Q[None, :], -np.inf).max(axis=1)
    short = np.flatnonzero(q > reach)
    if short.size:
        i = int(short[0])
        reasons.append(f"{short.size} 个需求点的需求超过其可达校址的最大容量（如第 {i} 行：需求 "
                       f"{q[i]:g} > 容量 {reach[i]:g}）")
        reasons_en.append(f"{short.size} clients demand more than any site they can reach holds "
                          f"(row {i}: demand {q[i]:g} > capacity {reach[i]:g})")
    if reasons:
        raise InfeasibleError(reasons, reasons_en)

    # ---- start: location–allocation heuristic
    heur: tuple[np.ndarray, np.ndarray, float] | None = None
    t_h = time.perf_counter()
    if heuristic_share > 0:
        heur = _cpmp_heuristic(C, p, q, Q, a, allowed, f_open,
                               t0 + heuristic_share * options.time_limit, options)
    t_heur = time.perf_counter() - t_h

    # ---- candidate pairs
    restricted = False
    if candidate_k is not None and candidate_k < m_av:
        masked = np.where(allowed, C, np.inf)
        kth = np.partition(masked, candidate_k - 1, axis=1)[:, candidate_k - 1]
        keep = allowed & (C <= kth[:, None])              # ties at the k-th cost kept
        if heur is not None:                             # keep the start plan's pairs
            keep[np.arange(n), heur[1]] = True
        restricted = bool((keep != allowed).any())
        allowed = keep
    ii, jj = np.nonzero(allowed)
    npair = ii.size
    # columns: x pairs, then y; rows: assignment (n), capacity (m), linking (npair), Σy
    xcols = np.arange(npair)
    ycol = npair + np.arange(m)
    r_cap = n + jj
    r_link = n + m + xcols
    r_p = n + m + npair
    rows = np.concatenate([ii, r_cap, r_link, n + np.arange(m), r_link,
                           np.full(m, r_p)])
    cols = np.concatenate([xcols, xcols, xcols, ycol, npair + jj, ycol])
    vals = np.concatenate([np.ones(npair), q[ii], np.ones(npair), -Q,
                           -np.ones(npair), np.ones(m)])
    A = sp.csc_matrix((vals, (rows, cols)), shape=(r_p + 1, npair + m))
    row_lb = np.concatenate([np.ones(n), np.full(m + npair, -np.inf), [p]])
    row_ub = np.concatenate([np.ones(n), np.zeros(m + npair), [p]])
    c = np.concatenate([a[ii] * C[ii, jj], np.zeros(m)])
    lb = np.zeros(npair + m)
    lb[ycol[f_open]] = 1.0
    ub = np.ones(npair + m)
    ub[ycol[f_closed]] = 0.0
    integer = np.ones(npair + m, dtype=bool)
    x0 = None
    if heur is not None:
        x0 = np.zeros(npair + m)
        x0[npair + heur[0]] = 1.0
        pair_of = sp.csr_matrix((xcols + 1, (ii, jj)), shape=(n, m))
        x0[np.asarray(pair_of[np.arange(n), heur[1]]).ravel() - 1] = 1.0
    info = {"clients": n, "sites": m, "pairs": int(npair), "rows": int(A.shape[0]),
            "cols": int(A.shape[1]), "nonzeros": int(A.nnz), "candidate_k": candidate_k,
            "heuristic_objective": None if heur is None else heur[2],
            "heuristic_seconds": round(t_heur, 3),
            "build_seconds": round(time.perf_counter() - t0 - t_heur, 3)}
    remaining = options.time_limit - (time.perf_counter() - t0)
    sub_options = dataclasses.replace(options, time_limit=max(remaining, 0.05))
    extra: dict[str, Any] = {}
    if npair > _PRESOLVE_MAX_PAIRS:
        extra = {"presolve": "off", "mip_heuristic_effort": 0.3}
    report, x = solve_mip(c, A, row_lb, row_ub, lb, ub, integer, sub_options, start=x0,
                          highs_options={**extra, **(highs_options or {})})
    report.seconds = time.perf_counter() - t0
    note = ("bound is for the restricted model (each client's "
            f"{candidate_k} nearest sites), not the full problem") if restricted else ""
    if x is None and heur is not None and report.status != "infeasible":
        report.detail["plan"] = "start heuristic (HiGHS found none in the time limit)"
        bound = report.bound
        return PMedianResult("feasible", heur[2], bound, _gap(heur[2], bound),
                             np.sort(heur[0]), heur[1], report, restricted,
                             "; ".join(filter(None, [note, "the plan is the start heuristic's"])),
                             info)
    if x is None:
        message = note
        if report.status == "infeasible":
            message = ("HiGHS proved that no assignment fits the capacities"
                       + (f" in the restricted model (candidate_k = {candidate_k}); "
                          "a larger candidate_k or None may be feasible"
                          if restricted else
                          f" (the aggregate check passed: p largest capacities ≥ total "
                          f"demand {total:g}; single-sourcing makes it a packing problem)"))
        return PMedianResult(report.status, None, report.bound, None,
                             np.array([], dtype=np.int64), np.full(n, -1, dtype=np.int64),
                             report, restricted, message, info)
    chosen = x[:npair] > 0.5
    assignment = np.full(n, -1, dtype=np.int64)
    assignment[ii[chosen]] = jj[chosen]
    open_sites = np.flatnonzero(x[npair:] > 0.5)
    objective = float(a @ C[np.arange(n), assignment])
    bound = None if report.bound is None else min(report.bound, objective)
    return PMedianResult(report.status, objective, bound, _gap(objective, bound), open_sites,
                         assignment, report, restricted, note, info)


# HiGHS 1.16's MIP presolve hardly reduces this model and, on large ones, does not watch
# the time limit (measured: fnl4461_0250 with 241 k pairs spent 518 s in presolve under a
# 60 s limit; ali535_025 with 38 k pairs overran a 120 s limit by 19 s). Above this many
# pairs it is switched off (on small models it halves the time, so it stays on there), and
# HiGHS's primal heuristics get a larger share (0.3, default 0.05): on large models the
# root LP bound is strong and the incumbent is what lags.
_PRESOLVE_MAX_PAIRS = 30_000


def _assign_gap(C: np.ndarray, q: np.ndarray, Q: np.ndarray, a: np.ndarray,
                allowed: np.ndarray, medians: np.ndarray, deadline: float,
                options: SolveOptions) -> np.ndarray | None:
    """Assign every client to one of ``medians`` within capacities (a GAP, HiGHS, each
    client restricted to its nearest medians, widened when that is infeasible)."""
    n = C.shape[0]
    pm = medians.size
    sub = np.where(allowed[:, medians], C[:, medians], np.inf)
    k = min(pm, 8)
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0.05:
            return None
        if k < pm:
            kth = np.partition(sub, k - 1, axis=1)[:, k - 1]
            keep = np.isfinite(sub) & (sub <= kth[:, None])
        else:
            keep = np.isfinite(sub)
        ii, jj = np.nonzero(keep)
        npair = ii.size
        A = sp.csc_matrix((np.concatenate([np.ones(npair), q[ii]]),
                           (np.concatenate([ii, n + jj]), np.tile(np.arange(npair), 2))),
                          shape=(n + pm, npair))
        row_lb = np.concatenate([np.ones(n), np.full(pm, -np.inf)])
        row_ub = np.concatenate([np.ones(n), Q[medians]])
        opts = dataclasses.replace(options, time_limit=max(min(remaining, 30.0), 0.05),
                                   mip_gap=max(options.mip_gap, 1e-3), verbose=False)
        report, x = solve_mip(a[ii] * sub[ii, jj], A, row_lb, row_ub, np.zeros(npair),
                              np.ones(npair), np.ones(npair, dtype=bool), opts)
        if x is not None:
            assignment = np.full(n, -1, dtype=np.int64)
            pick = x > 0.5
            assignment[ii[pick]] = medians[jj[pick]]
            if (assignment >= 0).all():
                return assignment
        if k >= pm or report.status not in ("infeasible",):
            return None
        k = min(pm, 2 * k)


def _cpmp_heuristic(C: np.ndarray, p: int, q: np.ndarray, Q: np.ndarray, a: np.ndarray,
                    allowed: np.ndarray, fixed_open: np.ndarray, deadline: float,
                    options: SolveOptions) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Location–allocation (Cooper 1964; Mulvey & Beck 1984 for capacities): seed ``p``
    medians (uncapacitated local search, or D²-sampling on large inputs), then alternate
    a capacitated assignment (:func:`_assign_gap`) and moving each median to the site
    that serves its clients at least cost within capacity, while it improves."""
    n, m = C.shape
    Cb = np.where(allowed, C, np.inf)
    finite = Cb[np.isfinite(Cb)]
    big = (float(np.abs(finite).max()) + 1.0) * 10 if finite.size else 1.0
    Dh = np.where(allowed, C, big)
    t0 = time.perf_counter()
    if n * m * p <= 2e8:
        seed_deadline = t0 + 0.3 * max(deadline - t0, 0.0)
        medians = _local_search(Dh, a, p, fixed_open, seed_deadline)
    else:                                        # D² sampling (k-means++ style), seeded
        rng = np.random.default_rng(options.seed)
        medians = list(fixed_open.tolist())
        near = (Dh[:, medians].min(axis=1) if medians
                else np.full(n, np.inf))
        if not medians:
            first = int(rng.integers(m))
            medians, near = [first], Dh[:, first].copy()
        cap_ok = Q > 0
        while len(medians) < p:
            # candidate = the site closest to a client drawn ∝ (demand·distance²)
            wgt = q * np.minimum(near, big) ** 2
            i = int(rng.choice(n, p=wgt / wgt.sum())) if wgt.sum() > 0 else int(rng.integers(n))
            row = np.where(cap_ok, Dh[i], np.inf)
            row[medians] = np.inf
            if not np.isfinite(row).any():        # every useful site taken: any free one
                row = np.where(np.isin(np.arange(m), medians), np.inf, 0.0)
            j = int(np.argmin(row))
            medians.append(j)
            near = np.minimum(near, Dh[:, j])
        medians = np.array(medians, dtype=np.int64)
    fixed = np.zeros(m, dtype=bool)
    fixed[fixed_open] = True
    if n * m * p > 2e8:                           # Voronoi iterations (k-medoids) on the seeds
        stop = t0 + 0.4 * max(deadline - t0, 0.0)
        for _ in range(30):
            if time.perf_counter() > stop:
                break
            nearest = medians[np.argmin(Dh[:, medians], axis=1)]
            moved = _relocate(Cb, q * 0, Q + np.inf, a, allowed, medians, nearest, fixed)
            if (moved == medians).all():
                break
            medians = moved
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    seen: set[bytes] = set()
    while time.perf_counter() < deadline:
        key = np.sort(medians).tobytes()
        if key in seen:
            break
        seen.add(key)
        assignment = _assign_gap(C, q, Q, a, allowed, np.sort(medians), deadline, options)
        if assignment is None:
            break
        value = float(a @ C[np.arange(n), assignment])
        if best is None or value < best[2] - 1e-9 * max(1.0, abs(value)):
            best = (np.sort(medians), assignment, value)
        elif best is not None:
            break
        new = _relocate(Cb, q, Q, a, allowed, medians, assignment, fixed)
        if (new == medians).all():
            break
        medians = new
    return best


def _relocate(Cb: np.ndarray, q: np.ndarray, Q: np.ndarray, a: np.ndarray,
              allowed: np.ndarray, medians: np.ndarray, assignment: np.ndarray,
              fixed: np.ndarray) -> np.ndarray:
    """Move each median to the site serving its clients at least cost (capacity ≥ their
    demand, allowed for all of them, not another median); fixed medians stay."""
    m = Cb.shape[1]
    taken = np.zeros(m, dtype=bool)
    taken[medians] = True
    new = medians.copy()
    for r, j in enumerate(medians):
        if fixed[j]:
            continue
        members = np.flatnonzero(assignment == j)
        if members.size == 0:
            continue
        load = q[members].sum()
        cost = a[members] @ np.where(np.isfinite(Cb[members]), Cb[members], 0.0)
        bad = ~allowed[members].all(axis=0) | (Q < load) | taken
        bad[j] = False
        cost[bad] = np.inf
        k = int(np.argmin(cost))
        if cost[k] < cost[j] - 1e-9 * max(1.0, abs(cost[j])):
            taken[j], taken[k] = False, True
            new[r] = k
    return new
