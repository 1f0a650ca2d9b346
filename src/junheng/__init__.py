"""junheng (均衡): evaluate and plan the balanced development of compulsory education."""

from __future__ import annotations

__version__ = "0.1.0"
