"""Declarative checks of planner parameters, one uniform message (scikit-learn style)."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any


def _accepts(tp: Any, value: Any) -> bool:
    origin = typing.get_origin(tp)
    if tp is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arg, value) for arg in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, bool)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if origin is dict:
        key_t, val_t = typing.get_args(tp)
        return isinstance(value, dict) and all(
            _accepts(key_t, k) and _accepts(val_t, v) for k, v in value.items())
    if origin is list:
        (item_t,) = typing.get_args(tp)
        return isinstance(value, list) and all(_accepts(item_t, v) for v in value)
    if origin is tuple:
        args = typing.get_args(tp)
        return isinstance(value, tuple | list) and len(value) == len(args) and all(
            _accepts(a, v) for a, v in zip(args, value, strict=True))
    return True


def check_types(obj: Any) -> None:
    """Raise ValueError naming the parameter, the expected type and the value given."""
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        tp = hints[f.name]
        if not _accepts(tp, value):
            name = tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")
            raise ValueError(f"The '{f.name}' parameter of {type(obj).__name__} must be "
                             f"{name}. Got {value!r} instead.")
