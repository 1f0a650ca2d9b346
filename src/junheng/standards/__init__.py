"""Rule sets (评估标准) as versioned data files and their loader."""

from junheng.standards.loader import STANDARDS, Indicator, Rules, RulesError, load_rules

__all__ = ["STANDARDS", "Indicator", "Rules", "RulesError", "load_rules"]
