"""Golden and property tests of the difference coefficient and the diagnostics."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.evaluate.metrics import (
    cv_contributions,
    lorenz_curve,
    theil_decomposition,
    weighted_cv,
    weighted_gini,
)
from junheng.evaluate.parts import split_shares

EXAMPLES = Path(__file__).parent / "data" / "examples"


def _books_example() -> tuple[np.ndarray, np.ndarray]:
    with (EXAMPLES / "example_books_5_primary_schools.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    students = np.array([float(r["students"]) for r in rows])
    books = np.array([float(r["books"]) for r in rows])
    return books / students, students


def test_books_example_gives_official_cv_0_5153() -> None:
    x, p = _books_example()
    res = weighted_cv(x, p)
    assert res.mean == pytest.approx(1913 / 302, abs=1e-12)
    assert res.sd == pytest.approx(3.2639, abs=5e-5)
    assert res.cv == pytest.approx(0.5153, abs=5e-5)
    assert round(res.cv, 2) == 0.52


def test_books_example_rejects_unweighted_formulas() -> None:
    x, p = _books_example()
    official = weighted_cv(x, p).cv
    unweighted_population = float(np.std(x) / np.mean(x))
    unweighted_sample = float(np.std(x, ddof=1) / np.mean(x))
    assert unweighted_population == pytest.approx(0.4888, abs=5e-4)
    assert unweighted_sample == pytest.approx(0.5465, abs=5e-4)
    assert abs(official - unweighted_population) > 0.02
    assert abs(official - unweighted_sample) > 0.02


def test_nine_year_school_is_split_1_to_1_1() -> None:
    with (EXAMPLES / "example_split_nine_year_school.csv").open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    primary, junior = float(row["primary_students"]), float(row["junior_students"])
    total = float(row["total_books"])
    shares = split_shares({"primary": primary, "junior": junior, "senior": 0.0},
                          {"primary": 1.0, "junior": 1.1, "senior": 1.32})
    per_pupil = total * shares["primary"] / primary
    assert per_pupil == pytest.approx(float(row["expected_primary_books_per_student"]), abs=0.005)
    # The published example rounds the per-pupil figure to 58.50 before multiplying:
    printed_primary = round(per_pupil, 2) * primary
    assert printed_primary == pytest.approx(int(row["expected_primary_books"]))
    assert total - printed_primary == pytest.approx(int(row["expected_junior_books"]))
    # junheng keeps full precision (Decisions #7): within one book of the printed split.
    assert abs(total * shares["primary"] - int(row["expected_primary_books"])) < 1
    assert abs(total * shares["junior"] - int(row["expected_junior_books"])) < 1


def test_complete_middle_school_split_is_1_to_1_2() -> None:
    shares = split_shares({"primary": 0.0, "junior": 600.0, "senior": 400.0},
                          {"primary": 1.0, "junior": 1.1, "senior": 1.32})
    assert shares["junior"] == pytest.approx(600 / (600 + 1.2 * 400))


def test_composite_is_mean_of_eight_published_coefficients() -> None:
    with (EXAMPLES / "county_cv_tables_2012.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["row"] == "cv"]
    assert len(rows) == 12
    keys = [k for k in rows[0] if k.startswith("L")]
    assert len(keys) == 8
    for r in rows:
        mean = np.mean([float(r[k]) for k in keys])
        assert mean == pytest.approx(float(r["composite"]), abs=0.0011), r["county"]


def test_zero_mean_gives_undefined_cv() -> None:
    assert weighted_cv([0.0, 0.0], [10, 20]).cv is None


positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False)
pupils = st.integers(min_value=1, max_value=3000)
schools = st.lists(st.tuples(positive, pupils), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(schools, st.floats(min_value=1e-3, max_value=1e3))
def test_cv_is_scale_invariant(data: list[tuple[float, int]], factor: float) -> None:
    x, p = np.array([d[0] for d in data]), np.array([d[1] for d in data], float)
    assert weighted_cv(x * factor, p).cv == pytest.approx(weighted_cv(x, p).cv, abs=1e-9)
    assert weighted_cv(x, p * 7).cv == pytest.approx(weighted_cv(x, p).cv, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(positive, st.lists(pupils, min_size=1, max_size=20))
def test_cv_is_zero_when_all_schools_are_equal(value: float, ps: list[int]) -> None:
    assert weighted_cv([value] * len(ps), ps).cv == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(schools, st.integers(min_value=0, max_value=29))
def test_cv_unchanged_when_a_school_splits_into_identical_halves(
        data: list[tuple[float, int]], which: int) -> None:
    x, p = np.array([d[0] for d in data]), np.array([d[1] for d in data], float)
    i = which % len(x)
    x2 = np.append(x, x[i])
    p2 = np.append(p, p[i] / 2)
    p2[i] = p[i] / 2
    assert weighted_cv(x2, p2).cv == pytest.approx(weighted_cv(x, p).cv, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(schools)
def test_contributions_sum_to_one_and_gini_in_unit_interval(
        data: list[tuple[float, int]]) -> None:
    x, p = np.array([d[0] for d in data]), np.array([d[1] for d in data], float)
    c = cv_contributions(x, p)
    assert c.sum() == pytest.approx(1.0 if np.ptp(x) > 1e-9 * x.max() else c.sum(), abs=1e-6)
    g = weighted_gini(x, p)
    assert g is not None and -1e-9 <= g < 1.0


def test_gini_matches_pairwise_definition() -> None:
    x = np.array([1.0, 3.0, 6.0, 10.0])
    p = np.array([10.0, 30.0, 20.0, 40.0])
    w = p / p.sum()
    mean = np.dot(w, x)
    pairwise = sum(w[i] * w[j] * abs(x[i] - x[j]) for i in range(4) for j in range(4))
    assert weighted_gini(x, p) == pytest.approx(pairwise / (2 * mean))
    cp, cr = lorenz_curve(x, p)
    assert cp[0] == 0 and cp[-1] == pytest.approx(1) and cr[-1] == pytest.approx(1)


@settings(max_examples=100, deadline=None)
@given(schools, st.lists(st.sampled_from(["urban", "town", "rural"]), min_size=30, max_size=30))
def test_theil_between_plus_within_equals_total(data: list[tuple[float, int]],
                                                 labels: list[str]) -> None:
    x, p = np.array([d[0] for d in data]), np.array([d[1] for d in data], float)
    res = theil_decomposition(x, p, labels[: len(x)])
    assert res is not None
    assert res.between + res.within == pytest.approx(res.total, abs=1e-9)
    assert res.total >= -1e-12
