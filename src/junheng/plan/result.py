"""The result every planner returns (规划结果) and the ``plan.json`` it serialises to."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from junheng.evaluate import Evaluation
from junheng.jsonable import jsonable
from junheng.plan.solver import SolveReport


def evaluation_summary(ev: Evaluation) -> dict[str, Any]:
    """Coefficients, failing schools and verdict: the ``before``/``after`` of plan.json."""
    stages = {}
    for stage, st in ev.stages.items():
        stages[stage] = {
            "schools_evaluated": st.schools_evaluated,
            "cv": {k: (None if v.cv is None else round(v.cv, 6))
                   for k, v in st.indicators.items()},
            "composite": None if st.composite is None else round(st.composite, 6),
            "cv_pass": st.cv_pass,
            "failing_schools": sorted(s.school_id for s in st.schools if s.passes is False),
            "schools_pass": st.schools_pass,
        }
    return {"standard": ev.rules.standard, "year": ev.year, "stages": stages,
            "verdict": {"resource_allocation_pass": ev.resource_allocation_pass,
                        "pass": ev.passes}}


@dataclass
class PlanResult:
    """A plan: solver status and bound, parameters, actions, before/after indicators."""

    planner: str
    report: SolveReport
    parameters: dict[str, Any]
    actions: list[dict[str, Any]]
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    after_evaluation: Evaluation | None = None

    @property
    def status(self) -> str:
        return self.report.status

    def to_dict(self) -> dict[str, Any]:
        out = {
            "planner": self.planner,
            "status": self.report.status,
            "objective": self.report.objective,
            "bound": self.report.bound,
            "gap": self.report.gap,
            "solve_seconds": round(self.report.seconds, 3),
            "solver": self.report.solver,
            "parameters": self.parameters,
            "actions": self.actions,
            "before": self.before,
            "after": self.after,
        }
        out.update(self.extra)
        return jsonable(out)

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2),
                        encoding="utf-8")
        return path
