"""Synthetic county census workbooks (合成县域普查数据) for demos, tests and benchmarks.

``synthesize(profile, seed)`` builds every sheet of ``spec/data-format.md``
for an invented county that looks like the seed counties: a mountain county
(山区县, like 井陉/左权: many teaching points 教学点, boarding schools, weak
village schools), a plain county (平原县) or an urban district (城区, like
桥西: large crowded schools, a quarter migrant children 随迁子女). Every
number comes from ``profiles.toml``; the code only decides the structure.

The tables agree with one another the way ``validate_workbook`` demands (the
teacher roster gives the latest year's teacher counts, the class list gives
the class and pupil counts), and they are deliberately *unequal* across
schools so that the evaluation has something to find: rural schools with
space but few backbone/PE/art teachers, urban schools short of space and
with large classes (大班额).

Same arguments, same tables: all randomness comes from
``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from junheng.data.schema import COUNTY_CHECK_KEYS, SHEETS_BY_KEY, SURVEY_GROUP, TYPE_STAGES

PROFILES: tuple[str, ...] = ("mountain", "plain", "urban")

Params = dict[str, Any]
_STAGES3 = ("primary", "junior", "senior")
_GRADES = {"primary": (1, 2, 3, 4, 5, 6), "junior": (7, 8, 9)}
_DIGITS = "零一二三四五六七八九"
_NOT_LOCAL = ("special",)  # types whose pupils come from the whole county, not a catchment


# ------------------------------------------------------------------ parameters


@cache
def _config() -> dict[str, Any]:
    text = resources.files("junheng.data").joinpath("profiles.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def profile_params(profile: str) -> Params:
    """The calibration of ``profile`` (defaults merged with its overrides)."""
    if profile not in PROFILES:
        raise ValueError(
            f"Unknown synthetic county profile {profile!r}; choose one of {', '.join(PROFILES)}."
        )
    cfg = _config()
    return _merge(cfg["defaults"], cfg["profiles"].get(profile, {}))


def _check_args(seed: int, schools: int | None, year: int, years: int) -> None:
    lim = _config()["limits"]
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"The seed must be a non-negative integer; got {seed!r}.")
    if schools is not None:
        lo, hi = lim["schools"]
        if isinstance(schools, bool) or not isinstance(schools, int | np.integer) or \
                not lo <= schools <= hi:
            raise ValueError(
                f"The number of schools must be an integer in [{lo}, {hi}]; got {schools!r}."
            )
    lo, hi = lim["years"]
    if isinstance(years, bool) or not isinstance(years, int | np.integer) or \
            not lo <= years <= hi:
        raise ValueError(f"The number of years must be an integer in [{lo}, {hi}]; got {years!r}.")
    lo, hi = lim["year"]
    if isinstance(year, bool) or not isinstance(year, int | np.integer) or \
            not (lo <= year - years + 1 and year <= hi):
        raise ValueError(
            f"The census years must lie in [{lo}, {hi}]; got year={year!r} with years={years}."
        )


# ------------------------------------------------------------------ small helpers


def _u(rng: np.random.Generator, r: Sequence[float], size: int | None = None) -> Any:
    return rng.uniform(r[0], r[1], size)


def _ri(rng: np.random.Generator, r: Sequence[int]) -> int:
    return int(rng.integers(int(r[0]), int(r[1]) + 1))


def _cat(rng: np.random.Generator, table: Mapping[str, float], size: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys], float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _cat_by_group(rng: np.random.Generator, table: Mapping[str, float], group: np.ndarray,
                  n_groups: int, concentration: float) -> np.ndarray:
    """Categorical draws whose probabilities vary by group (school) around ``table``.

    Each group gets its own mix from a Dirichlet(concentration x table), so
    that schools differ from one another as real staff rooms do.
    """
    keys = list(table)
    p = np.array([table[k] for k in keys], float)
    p = p / p.sum()
    mix = rng.dirichlet(concentration * p + 1e-9, size=n_groups)
    cum = np.cumsum(mix[group], axis=1)
    u = rng.uniform(0, 1, len(group))[:, None] * cum[:, -1:]
    idx = np.minimum((u > cum).sum(axis=1), len(keys) - 1)
    return np.array(keys, dtype=object)[idx]


def _largest_remainder(total: int, weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), int)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:rest]] += 1
    return base


def _cn(n: int) -> str:
    """Chinese numeral for 1..99 (第十一中学); Arabic digits beyond."""
    if n >= 100:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


# ------------------------------------------------------------------ the model


@dataclass
class _School:
    type: str
    twp: int
    role: str  # seat (urban), centre (township centre), village, tp
    ownership: str = "public"
    affiliation: str = "county"
    template: str = ""
    locale: str = "rural"
    x: float = 0.0
    y: float = 0.0
    village: int = -1
    name: str = ""
    sid: str = ""
    parent: str | None = None
    boarding: int = 0
    crowded: bool = False

    @property
    def cls(self) -> str:
        """Class of school for calibration tables: locale, teaching point or special."""
        if self.type in ("teaching_point", "special"):
            return self.type
        return self.locale


@dataclass
class _Builder:
    p: Params
    rng: np.random.Generator
    year: int
    years: list[int]
    schools_arg: int | None
    names: Params = field(default_factory=dict)

    # -------------------------------------------------------------- county size

    def size(self) -> None:
        cz, rng = self.p["county"], self.rng
        n_lo, n_hi = cz["schools"]
        given = self.schools_arg is not None
        if self.schools_arg is not None:
            n = self.schools_arg
            u = float(np.clip((n - n_lo) / max(n_hi - n_lo, 1), 0, 1))
        else:
            u = float(rng.uniform())
            n = round(n_lo + u * (n_hi - n_lo))
        s = n / ((n_lo + n_hi) / 2)

        def draw(key: str, exponent: float = 1.0) -> float:
            lo, hi = cz[key]
            q = float(np.clip(u + rng.normal(0, cz["quantile_noise"]), 0, 1))
            value = lo + q * (hi - lo)
            if given:  # extrapolate from the profile's own ratio
                value = (lo + hi) / 2 * s**exponent * _u(rng, cz["size_noise"])
            return value

        self.n = n
        self.pupils = draw("pupils")
        self.n_villages = int(np.clip(round(draw("villages")), 5, cz["villages_cap"]))
        t = round(draw("townships", cz["township_exponent"]))
        self.n_twp = int(np.clip(t, 2, max(2, min(cz["townships_cap"], n // 3))))
        if given:  # urban share of the townships as in the profile
            nu = round(np.mean(cz["urban_townships"]) * self.n_twp / np.mean(cz["townships"]))
        else:
            nu = _ri(rng, cz["urban_townships"])
        self.n_urban_twp = int(np.clip(nu, 1, min(self.n_twp - 1, len(self.names["street_stems"]))))
        self.area = float(min(draw("area_km2", cz["area_exponent"]), cz["area_cap_km2"]))
        k = int(rng.integers(len(cz["names"])))
        self.county_name, self.county_code = cz["names"][k], cz["codes"][k]
        self.city = cz["city"]
        jitter = cz["centre_jitter"]
        self.lon0 = cz["centre"][0] + rng.uniform(-jitter, jitter)
        self.lat0 = cz["centre"][1] + rng.uniform(-jitter, jitter)

    # -------------------------------------------------------------- townships

    def townships(self) -> None:
        cz, rng, nm = self.p["county"], self.rng, self.names
        nu, nt = self.n_urban_twp, self.n_twp
        if nu == 1 and self.p["county"]["urban_townships"][1] == 1:
            urban = [nm["seat_name"]]
        else:
            stems = rng.choice(nm["street_stems"], size=nu, replace=False)
            urban = [f"{s}{nm['street_suffix']}" for s in stems]
        stems = rng.choice(nm["township_stems"], size=nt - nu, replace=False)
        suffix = _cat(rng, nm["township_suffix"], nt - nu)
        self.twp_names = urban + [f"{s}{x}" for s, x in zip(stems, suffix, strict=True)]
        self.twp_urban = np.array([True] * nu + [False] * (nt - nu))
        weights = np.ones(nt)
        weights[nu:] = _u(rng, cz["township_weight"], nt - nu)
        self.twp_weight = weights
        terrain = list(_cat(rng, cz["terrain"], nt))
        for i in range(nu):
            terrain[i] = cz["seat_terrain"]
        self.twp_terrain = terrain

    # -------------------------------------------------------------- school slots

    def slots(self) -> None:
        p, rng = self.p, self.rng
        comp = p["composition"]
        extras = [e for e in p["extras"] if self.n >= e["min_schools"]]
        m = self.n - len(extras)
        kinds = list(comp["shares"])
        counts = dict(zip(kinds, _largest_remainder(m, [comp["shares"][k] for k in kinds]),
                          strict=True))
        has_cm = any(e["type"] in ("complete_middle", "twelve_year") for e in extras)
        if counts["primary"] == 0:
            donor = max(kinds, key=lambda k: counts[k])
            counts[donor] -= 1
            counts["primary"] += 1
        if counts["junior"] + counts["nine_year"] == 0 and not has_cm:
            donor = max(("teaching_point", "primary"), key=lambda k: counts[k])
            counts[donor] -= 1
            counts["junior"] += 1
        urban = list(np.flatnonzero(self.twp_urban))
        rural = list(np.flatnonzero(~self.twp_urban))
        slots: list[_School] = []

        def seat_twp(i: int) -> int:
            return int(urban[i % len(urban)])

        for i, e in enumerate(extras):
            slots.append(_School(e["type"], seat_twp(i), "seat", e["ownership"],
                                 e["affiliation"], e["template"], "urban"))

        def split(kind: str) -> tuple[int, int]:
            total = counts[kind]
            seat = min(total, round(total * comp["seat_share"].get(kind, 0.0)))
            if kind in ("primary", "junior") and total >= 2:
                seat = max(seat, 1)  # the county seat always has a school of each stage
            if not rural:
                seat = total
            return seat, total - seat

        order = [int(t) for t in rng.permutation(rural)]
        has_junior: set[int] = set()
        seat_j, rural_j = split("junior")
        for i in range(seat_j):
            slots.append(_School("junior", seat_twp(i + 1), "seat", locale="urban"))
        for i in range(rural_j):
            t = order[i % len(order)]
            second = t in has_junior
            has_junior.add(t)
            slots.append(_School("junior", t, "centre", locale="town",
                                 template="town_junior_second" if second else "town_junior"))
        seat_n, rural_n = split("nine_year")
        for i in range(seat_n):
            slots.append(_School("nine_year", seat_twp(i + 2), "seat", locale="urban"))
        pref = [t for t in order if t not in has_junior] + [t for t in order if t in has_junior]
        has_nine: set[int] = set()
        for i in range(rural_n):
            t = pref[i % len(pref)]
            if t in has_nine:
                slots.append(_School("nine_year", t, "village", locale="rural"))
            else:
                has_nine.add(t)
                slots.append(_School("nine_year", t, "centre", locale="town"))
        seat_p, rural_p = split("primary")
        for i in range(seat_p):
            slots.append(_School("primary", seat_twp(i), "seat", locale="urban"))
        central = min(rural_p, len(order))
        by_need = [t for t in order if t not in has_nine] + [t for t in order if t in has_nine]
        for t in by_need[:central]:
            slots.append(_School("primary", t, "centre", locale="town"))
        w = self.twp_weight[rural]  # never empty: at least one rural township
        village_p = _largest_remainder(rural_p - central, w)
        tp = _largest_remainder(counts["teaching_point"], w)
        for t, k in zip(rural, village_p, strict=True):
            slots.extend(_School("primary", int(t), "village", locale="rural") for _ in range(k))
        for t, k in zip(rural, tp, strict=True):
            slots.extend(_School("teaching_point", int(t), "tp", locale="rural")
                         for _ in range(k))
        self.schools = slots

    # -------------------------------------------------------------- geography

    def geography(self) -> None:
        cz, geo, rng = self.p["county"], _config()["geo"], self.rng
        aspect = _u(rng, cz["aspect"])
        self.b = math.sqrt(self.area / (math.pi * aspect))
        self.a = self.b * aspect
        self.theta = rng.uniform(0, math.pi)
        off = geo["seat_offset"]
        seat = self._rot(np.array([[rng.uniform(-off, off) * self.a,
                                    rng.uniform(-off, off) * self.b]]))[0]
        self.r_urban = min(cz["urban_radius_km"], geo["urban_radius_max_share"] * self.b)
        nu, nt = self.n_urban_twp, self.n_twp
        centres = np.zeros((nt, 2))
        centres[0] = seat
        if nu > 1:  # urban streets around the seat, inside the built-up area
            ang = rng.uniform(0, 2 * math.pi) + np.arange(nu - 1) * 2 * math.pi / (nu - 1)
            rad = self.r_urban * _u(rng, geo["street_ring"], nu - 1)
            centres[1:nu] = seat + np.c_[rad * np.cos(ang), rad * np.sin(ang)]
        for t in range(nu, nt):  # best candidate: spread the townships out
            cand = self._in_ellipse(geo["candidates"])
            away = np.hypot(*(cand - seat).T) > self.r_urban * geo["township_clearance"]
            cand = cand[away] if away.any() else cand
            d = np.min(np.hypot(cand[:, None, 0] - centres[None, :t, 0],
                                cand[:, None, 1] - centres[None, :t, 1]), axis=1)
            centres[t] = cand[int(np.argmax(d))]
        self.seat = seat
        self.twp_xy = centres
        rural_area = max(self.area - math.pi * self.r_urban**2,
                         self.area * geo["min_rural_area_share"])
        street = self.r_urban if nu == 1 else \
            self.r_urban / math.sqrt(nu) * geo["street_radius_factor"]
        self.twp_radius = np.where(self.twp_urban, street,
                                   math.sqrt(rural_area / max(nt - nu, 1) / math.pi))

    def _rot(self, pts: np.ndarray) -> np.ndarray:
        c, s = math.cos(self.theta), math.sin(self.theta)
        return pts @ np.array([[c, s], [-s, c]])

    def _inside(self, pts: np.ndarray) -> np.ndarray:
        c, s = math.cos(self.theta), math.sin(self.theta)
        local = pts @ np.array([[c, -s], [s, c]])
        return (local[:, 0] / self.a) ** 2 + (local[:, 1] / self.b) ** 2 <= 1.0

    def _in_ellipse(self, n: int) -> np.ndarray:
        r = np.sqrt(self.rng.uniform(0, 1, n))
        phi = self.rng.uniform(0, 2 * math.pi, n)
        return self._rot(np.c_[self.a * r * np.cos(phi), self.b * r * np.sin(phi)])

    def _disk(self, centre: np.ndarray, radius: float, n: int) -> np.ndarray:
        r = radius * np.sqrt(self.rng.uniform(0, 1, n))
        phi = self.rng.uniform(0, 2 * math.pi, n)
        pts = centre + np.c_[r * np.cos(phi), r * np.sin(phi)]
        for _ in range(_config()["geo"]["max_tries"]):
            out = ~self._inside(pts)
            if not out.any():
                break
            pts[out] = centre + (pts[out] - centre) * 0.5
        pts[~self._inside(pts)] = centre
        return pts

    # -------------------------------------------------------------- villages (positions)

    def villages(self) -> None:
        cz, rng, nm = self.p["county"], self.rng, self.names
        nt = self.n_twp
        need = np.zeros(nt, int)
        for s in self.schools:
            if s.role in ("village", "tp"):
                need[s.twp] += 1
        n_urban_v = max(self.n_urban_twp, round(self.n_villages * cz["urban_village_share"]))
        n_rural_v = max(self.n_villages - n_urban_v, 0)
        counts = np.zeros(nt, int)
        u_idx, r_idx = np.flatnonzero(self.twp_urban), np.flatnonzero(~self.twp_urban)
        counts[u_idx] = np.maximum(_largest_remainder(n_urban_v, np.ones(len(u_idx))), 1)
        if len(r_idx):
            counts[r_idx] = _largest_remainder(n_rural_v, self.twp_weight[r_idx])
        counts = np.maximum(counts, need + _config()["geo"]["spare_villages"])
        counts[u_idx] = np.maximum(counts[u_idx], 1)
        twp = np.repeat(np.arange(nt), counts)
        xy = np.zeros((len(twp), 2))
        names: list[str] = []
        for t in range(nt):
            sel = np.flatnonzero(twp == t)
            xy[sel] = self._disk(self.twp_xy[t], float(self.twp_radius[t]), len(sel))
            if self.twp_urban[t]:  # residents' communities (社区) in the built-up area
                pre, core, suf = (nm["community_prefixes"], nm["community_cores"],
                                  nm["community_suffix"])
            else:
                pre, core, suf = nm["village_prefixes"], nm["village_cores"], nm["village_suffix"]
            names.extend(self._unique_names(pre, core, suf, len(sel)))
        weight = rng.lognormal(0, cz["village_weight_sigma"], len(twp))
        weight[self.twp_urban[twp]] *= cz["urban_village_weight"]
        # the village nearest its township centre is the township seat: largest
        d = np.hypot(*(xy - self.twp_xy[twp]).T)
        self.v_twp, self.v_xy, self.v_weight, self.v_names = twp, xy, weight, names
        self.v_dist = d

    def _unique_names(self, pre: Sequence[str], core: Sequence[str], suffix: str,
                      n: int) -> list[str]:
        combos = len(pre) * len(core)
        picks = self.rng.choice(combos, size=min(n, combos), replace=False)
        out = [f"{pre[i // len(core)]}{core[i % len(core)]}{suffix}" for i in picks]
        k = 2
        while len(out) < n:  # more villages than names: 东庄二村, …
            out.extend(f"{name[:-len(suffix)]}{_cn(k)}{suffix}" for name in out[: n - len(out)])
            k += 1
        return out

    # -------------------------------------------------------------- placement, names, ids

    def place(self) -> None:
        rng, geo = self.rng, _config()["geo"]
        used: set[int] = set()
        for t in range(self.n_twp):
            here = [s for s in self.schools if s.twp == t]
            vill = np.flatnonzero(self.v_twp == t)
            free = [int(v) for v in vill[np.argsort(self.v_dist[vill])][1:]] or \
                [int(v) for v in vill]
            for s in here:
                if s.role == "seat":
                    radius = float(self.twp_radius[t]) * geo["seat_school_radius_share"]
                    s.x, s.y = self._disk(self.twp_xy[t], radius, 1)[0]
                elif s.role == "centre":
                    s.x, s.y = self.twp_xy[t] + rng.normal(0, geo["centre_offset_km"], 2)
                    s.x, s.y = self._clip_point(np.array([s.x, s.y]), self.twp_xy[t])
                else:
                    cand = [v for v in free if v not in used] or free
                    # teaching points: remote hamlets; village schools: the bigger villages
                    w = self.v_dist[cand] + geo["centre_offset_km"] if s.role == "tp" \
                        else self.v_weight[cand]
                    v = int(rng.choice(cand, p=w / w.sum()))
                    used.add(v)
                    s.village = v
                    pt = self.v_xy[v] + rng.normal(0, geo["village_offset_km"], 2)
                    s.x, s.y = self._clip_point(pt, self.v_xy[v])

    def _clip_point(self, pt: np.ndarray, fallback: np.ndarray) -> tuple[float, float]:
        if self._inside(pt[None, :])[0]:
            return float(pt[0]), float(pt[1])
        return float(fallback[0]), float(fallback[1])

    def name_and_number(self) -> None:
        rng, nm, tpl = self.rng, self.names, self.names["templates"]
        type_order = {"complete_middle": 0, "twelve_year": 1, "junior": 2, "nine_year": 3,
                      "primary": 4, "special": 5, "teaching_point": 6}
        self.schools.sort(key=lambda s: (s.twp, s.role != "seat", s.role == "tp",
                                         type_order[s.type], s.ownership != "public",
                                         s.affiliation != "county"))
        urban_profile = self.n_urban_twp > 1
        stems = list(rng.permutation(nm["urban_school_stems"]))
        n_primary, n_junior, n_nine = 0, 1, 0  # 第一中学 is the complete middle school
        city_no = _ri(rng, self.p["county"]["city_school_numbers"])
        seen: dict[str, int] = {}
        county = self.county_name
        for i, s in enumerate(self.schools):
            twp = self.twp_names[s.twp]
            village = self.v_names[s.village][:-1] if s.village >= 0 else ""
            fields = {"county": county, "city": self.city, "twp": twp, "village": village}
            if s.template:
                key = s.template
                if key == "twelve_year":
                    fields["stem"] = str(rng.choice(nm["twelve_year_stems"]))
                elif key.startswith("private"):
                    fields["stem"] = str(rng.choice(nm["private_stems"]))
                elif key == "city_junior":
                    fields["n"] = _cn(city_no)
            elif s.role == "seat":
                if s.type == "primary":
                    n_primary += 1
                    if urban_profile and stems:
                        key, fields["stem"] = "urban_primary", stems.pop(0)
                    else:
                        key = "seat_primary_first" if n_primary == 1 else "seat_primary"
                        fields["n"] = _cn(n_primary)
                elif s.type == "junior":
                    n_junior += 1
                    key, fields["n"] = "seat_junior", _cn(n_junior)
                elif stems:
                    key, fields["stem"] = "urban_nine_year", stems.pop(0)
                else:
                    n_nine += 1
                    key, fields["n"] = "seat_nine_year", _cn(n_nine)
            elif s.type == "primary":
                key = "centre_primary" if s.role == "centre" else "village_primary"
            elif s.type == "junior":
                key = "town_junior"
            elif s.type == "nine_year":
                key = "town_nine_year" if s.role == "centre" else "village_nine_year"
            else:
                key = "teaching_point"
            name = tpl[key].format(**fields)
            if name in seen:
                seen[name] += 1
                name = tpl["duplicate"].format(name=name, n=_cn(seen[name]))
            else:
                seen[name] = 1
            s.name = name
            s.sid = f"{self.county_code}{i + 1:04d}"
        # teaching points hang on the township's central primary or nine-year school
        for s in self.schools:
            if s.type != "teaching_point":
                continue
            hosts = [h for h in self.schools if h.type in ("primary", "nine_year")
                     and h.ownership == "public" and h.affiliation == "county"]
            local = sorted((h for h in hosts if h.twp == s.twp),
                           key=lambda h: (h.role != "centre", h.type != "primary"))
            if not local:
                local = sorted(hosts, key=lambda h: math.hypot(h.x - s.x, h.y - s.y))[:1]
            s.parent = local[0].sid
        for s in self.schools:
            prob = self.p["boarding"].get(s.type, {}).get(s.locale, 0.0)
            s.boarding = int(rng.uniform() < prob)

    # -------------------------------------------------------------- enrolment

    def enrolment(self) -> None:
        p, rng = self.p, self.rng
        sz = p["sizes"]
        n = len(self.schools)
        raw = np.zeros((n, 3))
        fixed = np.zeros(n, bool)
        for i, s in enumerate(self.schools):
            table = sz[s.type]
            cell = table.get(s.locale) or next(iter(table.values()))
            sigma = cell.get("sigma", sz["sigma"])
            for j, stage in enumerate(_STAGES3):
                if stage in cell and stage in TYPE_STAGES[s.type]:
                    raw[i, j] = cell[stage] * rng.lognormal(0, sigma)
            fixed[i] = s.type in ("teaching_point", "special")
        tp = np.array([s.type == "teaching_point" for s in self.schools])
        raw[tp, 0] = np.clip(raw[tp, 0], *sz["teaching_point_range"])
        fixed_total = raw[fixed, :2].sum()
        scalable = raw[~fixed, :2].sum()
        f = max(self.pupils - fixed_total, sz["min_scalable_share"] * self.pupils) / \
            max(scalable, 1.0)
        raw[~fixed] *= f
        students = np.rint(raw).astype(int)
        for j, stage in enumerate(("primary", "junior")):
            offered = np.array([stage in TYPE_STAGES[s.type] and raw[i, j] > 0
                                for i, s in enumerate(self.schools)])
            minimum = sz["stage_minimum"][stage]
            students[:, j] = np.where(offered & ~tp, np.maximum(students[:, j], minimum),
                                      students[:, j])
        students[tp, 0] = np.maximum(students[tp, 0], sz["teaching_point_range"][0])
        # rounding remainder on the largest school, so the county total is the target
        big = int(np.argmax(np.where(fixed, -1, students[:, :2].sum(axis=1))))
        j = int(np.argmax(students[big, :2]))
        students[big, j] += round(self.pupils) - int(students[:, :2].sum())
        # earlier years: roll the yearly growth back
        g = np.array([_u(rng, p["growth"][s.cls]) for s in self.schools])
        ny = len(self.years)
        self.students = np.zeros((ny, n, 3), int)  # [year, school, stage]
        for k, _y in enumerate(self.years):
            back = ny - 1 - k
            factor = (1 + g) ** (-back) * (1 + rng.normal(0, p["growth"]["year_noise"], n))
            factor = np.clip(factor, *p["growth"]["max_drift"])
            st = np.rint(students * factor[:, None]).astype(int)
            st[tp, 0] = np.minimum(st[tp, 0], sz["teaching_point_range"][1])
            st = np.where(students > 0, np.maximum(st, 1), 0)
            if back == 0:
                st = students
            self.students[k] = st

    # -------------------------------------------------------------- classes

    def classes(self) -> None:
        p, rng = self.p, self.rng
        cl = p["classes"]
        n = len(self.schools)
        crowded_share = cl["crowded_share"]
        caps = np.zeros((n, 2))
        for i, s in enumerate(self.schools):
            s.crowded = s.locale == "urban" and s.type not in ("special",) and \
                s.ownership == "public" and rng.uniform() < crowded_share
            key = "crowded" if s.crowded else s.cls
            base = _u(rng, cl[key])
            caps[i] = (base, base + (cl["junior_extra"] if key != "special" else 0))
        self.caps = caps
        tp_grades = p["composition"]["teaching_point_grades"]
        g_keys = [int(k) for k in tp_grades]
        g_p = np.array([tp_grades[k] for k in tp_grades], float)
        self.tp_top = {i: int(rng.choice(g_keys, p=g_p / g_p.sum()))
                       for i, s in enumerate(self.schools) if s.type == "teaching_point"}
        rows: list[tuple[str, int, str, int, str, int]] = []
        ny = len(self.years)
        n_classes = np.zeros((ny, n, 2), int)
        sd, clip = p["growth"]["grade_weight_sd"], p["growth"]["grade_weight_clip"]
        for k, y in enumerate(self.years):
            for i, s in enumerate(self.schools):
                for j, stage in enumerate(("primary", "junior")):
                    total = int(self.students[k, i, j])
                    if total <= 0:
                        continue
                    grades = _GRADES[stage]
                    if i in self.tp_top:
                        grades = grades[: self.tp_top[i]]
                    grades = grades[: max(1, min(len(grades), total))]
                    w = np.clip(1 + rng.normal(0, sd, len(grades)), *clip)
                    per_grade = _largest_remainder(total, w)
                    if (per_grade == 0).any():
                        per_grade = _largest_remainder(total, np.ones(len(grades)))
                    cap = caps[i, j]
                    for g, m in zip(grades, per_grade, strict=True):
                        m = int(m)
                        c = max(1, math.ceil(m / cap))
                        sizes = np.full(c, m // c)
                        sizes[: m % c] += 1
                        for no, size in enumerate(sizes, start=1):
                            rows.append((s.sid, y, stage, g, str(no), int(size)))
                        n_classes[k, i, j] += c
        self.n_classes = n_classes
        self.class_rows = rows

    # -------------------------------------------------------------- teachers

    def teacher_counts(self) -> None:
        p, rng = self.p, self.rng
        ra = p["ratios"]
        n = len(self.schools)
        latest = np.zeros((n, 2), int)
        for i, s in enumerate(self.schools):
            for j, stage in enumerate(("primary", "junior")):
                pupils = int(self.students[-1, i, j])
                if pupils <= 0:
                    continue
                key = "crowded" if s.crowded else s.cls
                table = ra[stage]
                ratio = _u(rng, table.get(key) or table["rural"])
                count = max(1, round(pupils / ratio))
                if s.type == "teaching_point":
                    count = int(np.clip(count, 1, ra["teaching_point_max"]))
                elif s.type != "special":
                    count = max(count, math.ceil(self.n_classes[-1, i, j] *
                                                 ra["min_per_class"][stage]))
                latest[i, j] = count
        self.teachers_latest = latest

    def roster(self) -> pd.DataFrame:
        p, rng = self.p, self.rng
        tc = p["teachers"]
        year = self.year
        school_idx = np.repeat(np.repeat(np.arange(len(self.schools)), 2),
                               self.teachers_latest.ravel())
        stage_idx = np.tile(np.array([0, 1]), len(self.schools))
        stage_idx = np.repeat(stage_idx, self.teachers_latest.ravel())
        m = len(school_idx)
        stage = np.where(stage_idx == 0, "primary", "junior").astype(object)
        cls = np.array([s.cls for s in self.schools], dtype=object)[school_idx]
        loc = np.array([s.locale if s.type != "teaching_point" else "rural"
                        for s in self.schools], dtype=object)[school_idx]
        # gender and age
        female_p = np.array([tc["female"][st][lo] for st, lo in zip(stage, loc, strict=True)])
        female = rng.uniform(0, 1, m) < female_p
        gender = np.where(female, "female", "male").astype(object)
        start = tc["start_age"]
        max_age = np.where(female, tc["max_age"]["female"], tc["max_age"]["male"])
        ab = np.array([tc["age_beta"][lo] for lo in loc]).reshape(m, 2)
        age = start + np.floor(rng.beta(ab[:, 0], ab[:, 1]) * (max_age - start + 1))
        age = np.minimum(age, max_age).astype(int)
        birth = year - age
        career = age - start
        years_at = np.floor(rng.beta(*tc["years_at_school_beta"], m) * (career + 1)).astype(int)
        years_at = np.minimum(years_at, career)
        rural_years = np.where(
            loc != "urban",
            years_at + np.floor(rng.beta(*tc["rural_service_beta"], m) *
                                (career - years_at + 1)).astype(int),
            np.where(rng.uniform(0, 1, m) < tc["urban_rural_service"]["share"],
                     np.floor(rng.uniform(0, 1, m) *
                              (np.minimum(career, tc["urban_rural_service"]["max_years"]) + 1)),
                     0).astype(int))
        rural_years = np.minimum(rural_years, career)
        # categorical attributes by group
        subject = np.empty(m, dtype=object)
        degree = np.empty(m, dtype=object)
        backbone = np.empty(m, dtype=object)
        title = np.empty(m, dtype=object)
        subj = tc["subjects"]
        n_s = len(self.schools)
        kappa = tc["school_concentration"]

        def by_school(sel: np.ndarray, table: Mapping[str, float], what: str) -> np.ndarray:
            return _cat_by_group(rng, table, school_idx[sel], n_s, kappa[what])

        for key in ("urban", "town", "rural", "teaching_point", "special"):
            for st in ("primary", "junior"):
                sel = (cls == key) & (stage == st)
                if not sel.any():
                    continue
                if key in ("teaching_point", "special"):
                    table = subj[key]
                else:
                    factor = tc["pe_art_factor"][key]
                    table = {s: w * (factor if s in ("pe", "music", "art") else 1.0)
                             for s, w in subj[st].items()}
                subject[sel] = by_school(sel, table, "subject")
        for lo in ("urban", "town", "rural"):
            for st in ("primary", "junior"):
                sel = (loc == lo) & (stage == st)
                if sel.any():
                    degree[sel] = by_school(sel, tc["degree"][st][lo], "degree")
            sel = loc == lo
            if sel.any():
                backbone[sel] = by_school(sel, tc["backbone"][lo], "backbone")
        young, old = tc["age_bands"]
        band = np.where(age < young, "young", np.where(age < old, "middle", "old"))
        for b in ("young", "middle", "old"):
            sel = band == b
            if sel.any():
                title[sel] = _cat(rng, tc["title"][b], int(sel.sum()))
        # 5-year training hours and certificates: most counties are complete (100 %),
        # some are not; decided once per county
        th = tc["training_hours"]
        hours = np.maximum(np.clip(rng.normal(th["mean"], th["sd"], m), *th["clip"]),
                           th["required"])
        if rng.uniform() >= th["complete_probability"]:
            low = rng.uniform(0, 1, m) < _u(rng, th["low_share"])
            hours[low] = _u(rng, th["low"], int(low.sum()))
        hours = np.round(hours).astype(float)
        ce = tc["certified"]
        missing = 0.0 if rng.uniform() < ce["complete_probability"] else _u(rng, ce["missing"])
        certified = (rng.uniform(0, 1, m) >= missing).astype(int)
        on_post = (rng.uniform(0, 1, m) < tc["on_post"]).astype(int)
        retire = birth + np.where(female, tc["retirement_age"]["female"],
                                  tc["retirement_age"]["male"])
        # rotation history (交流轮岗): teachers who came by rotation, some who went and
        # returned, and this year's movers drawn from the eligible teachers
        rot = tc["rotation"]
        arrived = (years_at >= 1) & (years_at <= rot["arrived_max_years"]) & \
            (rng.uniform(0, 1, m) < rot["arrived_share"])
        other = ~arrived & (rng.uniform(0, 1, m) < rot["other_share"])
        other_year = year - rng.integers(rot["other_years"][0], rot["other_years"][1] + 1, m)
        rotation = np.where(arrived, year - years_at, np.where(other, other_year, -1))
        pool = (years_at >= rot["eligible_years"]) & on_post.astype(bool) & \
            (retire - year > rot["years_before_retirement"])
        n_move = min(round(_u(rng, rot["this_year_share"]) * pool.sum()), int(pool.sum()))
        if n_move:
            strong = np.isin(backbone, ["county", "city", "province", "national"])
            weight = pool * np.where(strong, rot["backbone_weight"], 1.0)
            movers = rng.choice(m, size=n_move, replace=False, p=weight / weight.sum())
            years_at[movers] = 0
            rotation[movers] = year
        rotation = np.where((rotation >= 0) & (rotation < birth + start), -1, rotation)
        sids = np.array([s.sid for s in self.schools], dtype=object)[school_idx]
        seq = np.arange(m) - np.searchsorted(school_idx, school_idx)
        teacher_id = np.array([f"{sid}{q + 1:04d}" for sid, q in zip(sids, seq, strict=True)],
                              dtype=object)
        frame = pd.DataFrame({
            "teacher_id": teacher_id,
            "school_id": sids,
            "stage": stage,
            "subject": subject,
            "birth_year": birth.astype(int),
            "gender": gender,
            "degree": degree,
            "title": title,
            "backbone": backbone,
            "years_at_school": years_at.astype(int),
            "rural_service_years": rural_years.astype(int),
            "training_hours_5y": hours,
            "certified": certified,
            "on_post": on_post,
            "last_rotation_year": pd.array(np.where(rotation < 0, None, rotation).tolist(),
                                           dtype="Int64"),
            "retirement_year": retire.astype(int),
        })
        self.teachers = frame
        self._roster_counts(school_idx, stage_idx, stage, degree, title, backbone, subject)
        return frame

    def _roster_counts(self, school_idx: np.ndarray, stage_idx: np.ndarray, stage: np.ndarray,
                       degree: np.ndarray, title: np.ndarray, backbone: np.ndarray,
                       subject: np.ndarray) -> None:
        n = len(self.schools)
        above = np.where(stage == "primary",
                         np.isin(degree, ["associate", "bachelor", "postgraduate"]),
                         np.isin(degree, ["bachelor", "postgraduate"]))
        flags = {
            "teachers": np.ones(len(school_idx), bool),
            "above_degree_teachers": above,
            "mid_title_teachers": np.isin(title, ["first", "senior"]),
            "backbone_teachers": np.isin(backbone, ["county", "city", "province", "national"]),
            "pe_art_teachers": np.isin(subject, ["pe", "music", "art"]),
        }
        self.counts: dict[str, np.ndarray] = {}
        for key, flag in flags.items():
            out = np.zeros((n, 2), int)
            np.add.at(out, (school_idx[flag], stage_idx[flag]), 1)
            self.counts[key] = out

    # -------------------------------------------------------------- facilities

    def facilities(self) -> dict[str, np.ndarray]:
        p, rng = self.p, self.rng
        fa = p["facilities"]
        n = len(self.schools)
        st = self.students[-1]
        cls = [s.cls for s in self.schools]
        crowded = np.array([s.crowded for s in self.schools])
        out: dict[str, np.ndarray] = {}
        # a school's overall endowment (old building or new, rich or poor) moves all
        # indicators together; each indicator has its own spread on top
        wealth = rng.lognormal(0, fa["school_sigma"], n)
        for key in ("teaching_aux_area", "sports_area", "equipment_value", "computers", "books"):
            jf = fa["junior_factor"][key]
            pupils = st[:, 0] + jf * (st[:, 1] + st[:, 2])
            fixed = np.array([_u(rng, fa[key][c]["fixed"]) for c in cls])
            rate = np.array([_u(rng, fa[key][c]["rate"]) for c in cls])
            rate = np.where(crowded, rate * fa["crowded_factor"], rate)
            spread = wealth * rng.lognormal(0, fa["indicator_sigma"], n)
            out[key] = (fixed + rate * pupils) * spread
        classes = self.n_classes[-1].sum(axis=1)
        cov = np.array([_u(rng, fa["multimedia"][c]["coverage"]) for c in cls])
        extra = np.array([_ri(rng, fa["multimedia"][c]["extra"]) for c in cls])
        out["multimedia_classrooms"] = np.rint(classes * cov + extra)
        need = np.ceil(classes / fa["arts_classes_per_room"]).astype(int)
        for room in ("music", "art"):
            full = rng.uniform(0, 1, n) < np.array([fa["arts_full"][c] for c in cls])
            partial = np.floor(rng.uniform(0, 1, n) * need).astype(int)
            rooms = np.where(full, need, partial)
            area = np.array([sum(_u(rng, fa["arts_room_area"][c], int(r))) if r else 0.0
                             for c, r in zip(cls, rooms, strict=True)])
            out[f"{room}_rooms"] = rooms
            out[f"{room}_room_area"] = np.round(area, 1)
        gym = rng.uniform(0, 1, n) < np.array([fa["gym_probability"][c] for c in cls])
        gym_area = np.minimum(_u(rng, fa["gym_area"], n),
                              fa["gym_max_share"] * out["teaching_aux_area"])
        out["indoor_sports_area"] = np.where(gym, gym_area, 0.0)
        out["sports_area"] = out["sports_area"] + out["indoor_sports_area"]
        factor = np.array([_u(rng, fa["capacity_factor"]["crowded" if c else k])
                           for c, k in zip(crowded, cls, strict=True)])
        step = fa["capacity_round"]
        total = self.students.sum(axis=2).max(axis=0)  # built for the peak year
        out["design_capacity"] = np.maximum(np.round(total * factor / step) * step, step)
        return out

    def facility_years(self, latest: dict[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
        """Facilities of every census year: the earlier ones grow into the latest."""
        p, rng = self.p, self.rng
        fa = p["facilities"]
        n, ny = len(self.schools), len(self.years)
        rates = {k: _u(rng, r, n) for k, r in fa["growth"].items()}
        shrink = np.ones(n)
        per_year: list[dict[str, np.ndarray]] = [dict() for _ in range(ny)]
        per_year[-1] = dict(latest)
        for k in range(ny - 2, -1, -1):
            back = ny - 1 - k
            built = rng.uniform(0, 1, n) < fa["build_probability"]
            shrink = shrink * np.where(built, _u(rng, fa["build_shrink"], n), 1.0)
            cur = dict(latest)
            cur["teaching_aux_area"] = latest["teaching_aux_area"] * shrink
            cur["indoor_sports_area"] = np.minimum(latest["indoor_sports_area"],
                                                   cur["teaching_aux_area"])
            for key, g in rates.items():
                cur[key] = latest[key] / (1 + g) ** back
            per_year[k] = cur
        return per_year

    # -------------------------------------------------------------- school_years

    def school_years(self) -> pd.DataFrame:
        p, rng = self.p, self.rng
        n, ny = len(self.schools), len(self.years)
        latest = self.facilities()
        fac = self.facility_years(latest)
        fin = self.finance_rates
        fu, gr = p["funds"], p["groups"]
        gcls = ["private" if s.ownership == "private" else s.locale for s in self.schools]
        shares = {
            key: np.clip(np.array([gr[key][c] for c in gcls]) *
                         rng.lognormal(0, gr["sigma"], n), 0, gr["max_share"])
            for key in ("migrant", "left_behind")
        }
        disabled_rate = _u(rng, gr["disabled"], n)
        boarders = np.array([s.boarding for s in self.schools]) * _u(rng, fu["boarder_share"], n)
        funds_noise = _u(rng, fu["noise"], n)
        short = rng.uniform(0, 1, n) < fu["shortfall_probability"]
        funds_noise = np.where(short, _u(rng, fu["shortfall"], n), funds_noise)
        special_rate = _u(rng, fu["special_per_student"], n)
        is_special = np.array([s.type == "special" for s in self.schools])
        tel = p["growth"]["teacher_elasticity"]
        frames = []
        for k, y in enumerate(self.years):
            st = self.students[k]
            total = st.sum(axis=1)
            comp = st[:, 0] + st[:, 1]
            f = fac[k]
            row: dict[str, Any] = {
                "school_id": [s.sid for s in self.schools],
                "year": np.full(n, y),
                "students_primary": st[:, 0],
                "students_junior": st[:, 1],
                "students_senior": st[:, 2],
                "classes_primary": self.n_classes[k, :, 0],
                "classes_junior": self.n_classes[k, :, 1],
                "teaching_aux_area": np.round(f["teaching_aux_area"], 1),
                "indoor_sports_area": np.round(f["indoor_sports_area"], 1),
                "sports_area": np.round(f["sports_area"], 1),
                "equipment_value": np.round(f["equipment_value"]),
                "computers": np.rint(f["computers"]).astype(int),
                "books": np.rint(f["books"]).astype(int),
                "multimedia_classrooms": np.rint(f["multimedia_classrooms"]).astype(int),
                "music_rooms": f["music_rooms"].astype(int),
                "art_rooms": f["art_rooms"].astype(int),
                "music_room_area": f["music_room_area"],
                "art_room_area": f["art_room_area"],
            }
            funded = np.maximum(comp, fu["small_school_floor"])  # 不足100人按100人核定
            rate_p, rate_j = fin["public_funds_primary"][k], fin["public_funds_junior"][k]
            share_p = np.divide(st[:, 0], comp, out=np.ones(n), where=comp > 0)
            base = funded * (share_p * rate_p + (1 - share_p) * rate_j)
            funds = (base + fu["boarding_extra"] * boarders * comp) * funds_noise
            funds = np.where(is_special, special_rate * comp, funds)
            row["public_funds"] = np.round(funds)
            row["design_capacity"] = f["design_capacity"].astype(int)
            migrant = np.rint(total * shares["migrant"]).astype(int)
            row["migrant_students"] = migrant
            row["left_behind_students"] = np.rint((total - migrant) *
                                                  shares["left_behind"]).astype(int)
            row["disabled_students"] = np.where(is_special, comp,
                                                np.rint(total * disabled_rate)).astype(int)
            for j, stage in enumerate(("primary", "junior")):
                t_latest = self.teachers_latest[:, j]
                if k == ny - 1:
                    counts = {key: v[:, j] for key, v in self.counts.items()}
                else:
                    ratio = np.divide(st[:, j], self.students[-1, :, j],
                                      out=np.ones(n), where=self.students[-1, :, j] > 0)
                    t = np.rint(t_latest * ratio**tel +
                                rng.normal(0, p["growth"]["teacher_noise"], n))
                    t = np.where(st[:, j] > 0, np.maximum(t, 1), 0).astype(int)
                    tp = np.array([s.type == "teaching_point" for s in self.schools])
                    t = np.where(tp & (t > 0), np.clip(t, 1, p["ratios"]["teaching_point_max"]),
                                 t)
                    scale = np.divide(t, t_latest, out=np.zeros(n), where=t_latest > 0)
                    counts = {"teachers": t}
                    for key, v in self.counts.items():
                        if key != "teachers":
                            counts[key] = np.minimum(np.rint(v[:, j] * scale), t).astype(int)
                for key, v in counts.items():
                    row[f"{key}_{stage}"] = np.asarray(v, int)
            frames.append(pd.DataFrame(row))
        out = pd.concat(frames, ignore_index=True)
        return out[list(SHEETS_BY_KEY["school_years"].keys)]

    # -------------------------------------------------------------- finance

    def finance(self) -> pd.DataFrame:
        p, rng = self.p, self.rng
        fi = p["finance"]
        n_years = max(len(self.years), fi["min_years"])
        years = list(range(self.year - n_years + 1, self.year + 1))
        fail = fi["fail_probability"]

        def series(start: float, growth: Sequence[float]) -> np.ndarray:
            g = _u(rng, growth, n_years - 1)
            bad = rng.uniform(0, 1, n_years - 1) < fail
            g = np.where(bad, _u(rng, fi["fail_margin"], n_years - 1), g)
            return start * np.concatenate([[1.0], np.cumprod(1 + g)])

        sp_p = series(_u(rng, fi["spending_primary"]), fi["spending_growth"])
        sp_j = series(_u(rng, fi["spending_junior"]), fi["spending_growth"])
        pf_p = series(_u(rng, fi["public_funds_primary"]), fi["public_funds_growth"])
        pf_j = series(_u(rng, fi["public_funds_junior"]), fi["public_funds_growth"])
        pupils = self.students[-1, :, :2].sum(axis=0)
        spending = sp_p[-1] * pupils[0] + sp_j[-1] * pupils[1]
        approp_last = spending * _u(rng, fi["appropriation_over_spending"])
        revenue_last = approp_last / _u(rng, fi["appropriation_share"])
        g_rev = _u(rng, fi["revenue_growth"], n_years - 1)
        margin = _u(rng, fi["appropriation_margin"], n_years - 1)
        bad = rng.uniform(0, 1, n_years - 1) < fail
        margin = np.where(bad, _u(rng, fi["fail_margin"], n_years - 1), margin)
        g_app = g_rev + margin
        rev = revenue_last / np.concatenate([np.cumprod((1 + g_rev)[::-1])[::-1], [1.0]])
        app = approp_last / np.concatenate([np.cumprod((1 + g_app)[::-1])[::-1], [1.0]])
        self.finance_rates = {
            "public_funds_primary": pf_p[-len(self.years):],
            "public_funds_junior": pf_j[-len(self.years):],
        }
        frame = pd.DataFrame({
            "year": years,
            "recurrent_revenue": np.round(rev, -4),
            "edu_appropriation": np.round(app, -4),
            "per_student_spending_primary": np.round(sp_p, 2),
            "per_student_spending_junior": np.round(sp_j, 2),
            "per_student_public_funds_primary": np.round(pf_p, 2),
            "per_student_public_funds_junior": np.round(pf_j, 2),
        })
        return frame[list(SHEETS_BY_KEY["county_finance"].keys)]

    # -------------------------------------------------------------- schools sheet

    def schools_frame(self) -> pd.DataFrame:
        lon, lat = self._lonlat(np.array([[s.x, s.y] for s in self.schools]))
        frame = pd.DataFrame({
            "school_id": [s.sid for s in self.schools],
            "name": [s.name for s in self.schools],
            "county_code": self.county_code,
            "county_name": self.county_name,
            "township": [self.twp_names[s.twp] for s in self.schools],
            "type": [s.type for s in self.schools],
            "ownership": [s.ownership for s in self.schools],
            "affiliation": [s.affiliation for s in self.schools],
            "locale": [s.locale for s in self.schools],
            "lon": lon,
            "lat": lat,
            "boarding": [s.boarding for s in self.schools],
            "parent_school_id": [s.parent for s in self.schools],
        })
        return frame[list(SHEETS_BY_KEY["schools"].keys)]

    def _lonlat(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        km = _config()["geo"]["km_per_degree"]
        lat = self.lat0 + xy[:, 1] / km
        lon = self.lon0 + xy[:, 0] / (km * math.cos(math.radians(self.lat0)))
        return np.round(lon, 6), np.round(lat, 6)

    # -------------------------------------------------------------- villages sheet

    def villages_frame(self) -> pd.DataFrame:
        p, rng = self.p, self.rng
        vc, cz = p["villages"], p["county"]
        nv = len(self.v_twp)
        st = self.students[-1]
        primary_by_twp = np.zeros(self.n_twp)
        for i, s in enumerate(self.schools):
            if s.type not in _NOT_LOCAL:
                primary_by_twp[s.twp] += st[i, 0]
        cp = np.zeros(nv, int)
        for t in range(self.n_twp):
            sel = np.flatnonzero(self.v_twp == t)
            total = round(primary_by_twp[t] * _u(rng, vc["primary_match"]))
            w = self.v_weight[sel]
            cp[sel] = rng.multinomial(total, w / w.sum()) if total > 0 else 0
        junior_total = sum(st[i, 1] for i, s in enumerate(self.schools)
                           if s.type not in _NOT_LOCAL)
        jw = (cp + vc["junior_base"]) * _u(rng, vc["junior_spread"], nv)
        cj = rng.multinomial(round(junior_total * _u(rng, vc["junior_match"])), jw / jw.sum())
        urban = self.twp_urban[self.v_twp]
        share = _u(rng, vc["child_share"], nv)
        floor = np.where(urban, vc["min_population"]["urban"], vc["min_population"]["rural"])
        population = np.maximum(np.rint((cp + cj) / share), floor).astype(int)
        growth = np.where(urban, _u(rng, p["growth"]["urban"], nv),
                          _u(rng, p["growth"]["rural"], nv))
        lon, lat = self._lonlat(self.v_xy)
        terrain = np.array(self.twp_terrain, dtype=object)[self.v_twp]
        flip = rng.uniform(0, 1, nv) < cz["terrain_mix"]
        terrain[flip] = _cat(rng, cz["terrain"], int(flip.sum()))
        frame = pd.DataFrame({
            "village_id": [f"{self.county_code}{t + 1:03d}{k:03d}" for t, k in
                           zip(self.v_twp, self._seq(self.v_twp), strict=True)],
            "name": self.v_names,
            "township": [self.twp_names[t] for t in self.v_twp],
            "lon": lon,
            "lat": lat,
            "population": population,
            "children_primary": cp,
            "children_junior": cj,
            "terrain": terrain,
        })
        frame = frame[list(SHEETS_BY_KEY["villages"].keys)]
        frame["children_primary_next"] = np.rint(cp * (1 + growth)).astype(int)
        frame["children_junior_next"] = np.rint(cj * (1 + growth)).astype(int)
        return frame

    @staticmethod
    def _seq(groups: np.ndarray) -> np.ndarray:
        first = np.searchsorted(groups, groups)
        return np.arange(len(groups)) - first + 1

    # -------------------------------------------------------------- sites

    def sites_frame(self) -> pd.DataFrame:
        sc, rng = self.p["sites"], self.rng
        k = _ri(rng, sc["count"])
        near = rng.uniform(0, 1, k) < sc["near_seat_share"]
        rural = np.flatnonzero(~self.twp_urban)
        pts = np.zeros((k, 2))
        for i in range(k):
            if near[i] or not len(rural):
                pts[i] = self._disk(self.seat, self.r_urban * sc["seat_radius_factor"], 1)[0]
            else:
                t = int(rng.choice(rural))
                pts[i] = self._disk(self.twp_xy[t], sc["jitter_km"], 1)[0]
        lon, lat = self._lonlat(pts)
        step = sc["capacity_step"]
        cap = np.rint(_u(rng, sc["capacity"], k) / step) * step
        return pd.DataFrame({
            "site_id": [f"S{self.county_code}{i + 1:02d}" for i in range(k)],
            "lon": lon,
            "lat": lat,
            "max_capacity": cap.astype(int),
            "build_cost_per_place": np.round(_u(rng, sc["build_cost_per_place"], k), -2),
            "fixed_cost": np.round(_u(rng, sc["fixed_cost"], k), -4),
        })[list(SHEETS_BY_KEY["sites"].keys)]

    # -------------------------------------------------------------- county checks, survey

    def checks_frame(self) -> pd.DataFrame:
        cc, rng = self.p["checks"], self.rng
        year = self.year + cc["year_offset"]
        rows = []
        pay = _u(rng, cc["teacher_avg_pay"])
        for check in COUNTY_CHECK_KEYS:
            key, kind = check.key, check.kind
            if kind == "bool":
                value = "1" if rng.uniform() < cc["bool_true_by_key"].get(key, cc["bool_true"]) \
                    else "0"
            elif key in cc["full_probability"] and rng.uniform() < cc["full_probability"][key]:
                value = "1"
            elif key == "teacher_avg_pay":
                value = f"{round(pay, -2):.0f}"
            elif key == "civil_servant_avg_pay":
                value = f"{round(pay / _u(rng, cc['civil_servant_pay_ratio']), -2):.0f}"
            elif kind == "rate":
                value = f"{min(_u(rng, cc[key]), 1.0):.{cc['rate_decimals']}f}"
            elif kind == "number":
                value = str(_ri(rng, cc[key]))
            else:
                value = f"{round(_u(rng, cc[key]), -1):.0f}"
            template = cc["evidence_by_key"].get(key, cc["evidence"][kind])
            evidence = template.format(county=self.county_name, year=year)
            rows.append((key, value, year, evidence))
        return pd.DataFrame(rows, columns=list(SHEETS_BY_KEY["county_checks"].keys))

    def survey_frame(self) -> pd.DataFrame:
        sv, rng = self.p["survey"], self.rng
        rows = []
        for group in SURVEY_GROUP.keys:
            n = _ri(rng, sv["respondents"][group])
            rate = _u(rng, sv["low"] if rng.uniform() < sv["low_probability"] else sv["satisfied"])
            rows.append((group, n, min(n, round(n * rate))))
        return pd.DataFrame(rows, columns=list(SHEETS_BY_KEY["survey"].keys))


# ------------------------------------------------------------------ public API


def synthesize(profile: str, seed: int, schools: int | None = None, year: int = 2025,
               years: int = 3) -> dict[str, pd.DataFrame]:
    """Build a realistic synthetic county census (合成县域普查数据).

    ``profile`` is one of :data:`PROFILES`; ``seed`` fixes every random draw;
    ``schools`` sets the number of schools (default: drawn from the profile's
    range); the census covers ``years`` school years ending at ``year``.
    Returns tables keyed by sheet key ('schools', 'school_years', 'teachers',
    'classes', 'villages', 'sites', 'county_finance', 'county_checks',
    'survey'), with the schema's English column keys; ready for
    :func:`junheng.data.io.write_workbook`.

    Raises ``ValueError`` for an unknown profile, a school count outside
    [5, 400] or impossible years.
    """
    params = profile_params(profile)
    _check_args(seed, schools, year, years)
    b = _Builder(params, np.random.default_rng(int(seed)), int(year),
                 list(range(int(year) - int(years) + 1, int(year) + 1)),
                 None if schools is None else int(schools), _config()["names"])
    b.size()
    b.townships()
    b.slots()
    b.geography()
    b.villages()
    b.place()
    b.name_and_number()
    b.enrolment()
    b.classes()
    b.teacher_counts()
    teachers = b.roster()
    finance = b.finance()
    school_years = b.school_years()
    classes = pd.DataFrame(b.class_rows, columns=list(SHEETS_BY_KEY["classes"].keys))
    return {
        "schools": b.schools_frame(),
        "school_years": school_years,
        "teachers": teachers[list(SHEETS_BY_KEY["teachers"].keys)],
        "classes": classes,
        "villages": b.villages_frame(),
        "sites": b.sites_frame(),
        "county_finance": finance,
        "county_checks": b.checks_frame(),
        "survey": b.survey_frame(),
    }


__all__ = ["PROFILES", "profile_params", "synthesize"]
