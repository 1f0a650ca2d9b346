"""Planners (规划): each a module with a parameters dataclass and a ``solve_*`` function.

``PLANNERS`` names them once, in the order the CLI and the demo show them; the modules
are imported only when a planner is used (they load SciPy and HiGHS).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

PLANNERS: dict[str, tuple[str, str]] = {  # name -> (parameters class, solve function)
    "layout": ("LayoutParameters", "solve_layout"),
    "catchment": ("CatchmentParameters", "solve_catchment"),
    "rotation": ("RotationParameters", "solve_rotation"),
    "groups": ("GroupParameters", "solve_groups"),
    "budget": ("BudgetParameters", "solve_budget"),
    "quotas": ("QuotaParameters", "solve_quotas"),
}


def planner(name: str) -> tuple[type, Callable[..., Any]]:
    """The parameters class and the solve function of planner ``name``."""
    cls_name, solve_name = PLANNERS[name]
    module = importlib.import_module(f"junheng.plan.{name}")
    return getattr(module, cls_name), getattr(module, solve_name)
