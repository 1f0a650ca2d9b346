"""Travel distances from villages to schools and candidate sites (通行距离).

From the ``travel`` sheet where it gives a pair; otherwise the great-circle
distance times a detour factor for the village's terrain (data-format.md:
default 1.3, configurable by terrain). Pairs beyond the longest distance any
rule allows are pruned before a model is built, so models stay sparse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from junheng.data.census import Census

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Pairs:
    """Sparse village × destination distances: parallel arrays, pruned."""

    village: np.ndarray  # index into the village table
    dest: np.ndarray  # index into the destination table
    km: np.ndarray

    def __len__(self) -> int:
        return int(self.km.size)


def great_circle_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                    lat2: np.ndarray) -> np.ndarray:
    """Haversine distance (km) between every row point and every column point."""
    la1, la2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dlat = la2 - la1
    dlon = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def village_distances(census: Census, villages: pd.DataFrame, dests: pd.DataFrame,
                      detour: dict[str, float], max_km: float) -> Pairs:
    """Distances from ``villages`` (village_id, lon, lat, terrain) to ``dests`` (dest_id,
    lon, lat), travel-sheet values first, pruned at ``max_km``."""
    vlon = villages["lon"].to_numpy(float)
    vlat = villages["lat"].to_numpy(float)
    dlon = dests["lon"].to_numpy(float)
    dlat = dests["lat"].to_numpy(float)
    km = great_circle_km(vlon, vlat, dlon, dlat)
    factor = villages["terrain"].map(detour).fillna(detour.get("default", 1.3)).to_numpy(float)
    km = km * factor[:, None]
    travel = census["travel"]
    if not travel.empty:
        vi = pd.Index(villages["village_id"])
        di = pd.Index(dests["dest_id"])
        rows = vi.get_indexer(travel["from_id"])
        cols = di.get_indexer(travel["to_id"])
        ok = (rows >= 0) & (cols >= 0)
        km[rows[ok], cols[ok]] = travel["km"].to_numpy(float)[ok]
    km = np.where(np.isnan(km), np.inf, km)
    v, d = np.nonzero(km <= max_km)
    return Pairs(v, d, km[v, d])
