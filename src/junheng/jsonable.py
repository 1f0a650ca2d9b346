"""Plain JSON values from results that hold NumPy and pandas scalars."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def jsonable(obj: Any) -> Any:
    """Recursively turn NumPy/pandas scalars, tuples and NA into JSON-ready values."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is pd.NA:
        return None
    return obj
