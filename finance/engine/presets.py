"""Optimism-bias presets by project type.

Source: HM Treasury, *Supplementary Green Book Guidance: Optimism Bias* (2003), Table 1/2, prepared from
Mott MacDonald (2002), *Review of Large Public Procurement in the UK*. Values are the capital-expenditure
uplifts (works-duration and outsourcing OPEX values are listed for reference). The guidance says to start an
appraisal at the upper bound and move towards the lower bound only as risks are demonstrably managed, so
``optimism_bias_for(project_type)`` returns the upper bound unless ``stage="lower"`` is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class OptimismBiasPreset:
    """Optimism-bias uplifts as fractions (0.24 = +24%)."""

    project_type: str
    capex_upper: float
    capex_lower: float
    works_duration_upper: float | None
    works_duration_lower: float | None
    description: str


OPTIMISM_BIAS_PRESETS: dict[str, OptimismBiasPreset] = {
    p.project_type: p
    for p in (
        OptimismBiasPreset("standard_buildings", 0.24, 0.02, 0.04, 0.01, "Standard buildings"),
        OptimismBiasPreset("non_standard_buildings", 0.51, 0.04, 0.39, 0.02, "Non-standard buildings"),
        OptimismBiasPreset(
            "standard_civil_engineering", 0.44, 0.03, 0.20, 0.01, "Standard civil engineering"
        ),
        OptimismBiasPreset(
            "non_standard_civil_engineering", 0.66, 0.06, 0.25, 0.03, "Non-standard civil engineering"
        ),
        OptimismBiasPreset("equipment_development", 2.00, 0.10, 0.54, 0.10, "Equipment / development"),
        # Outsourcing: the guidance gives an OPEX uplift (41% upper, 0% lower) and no CAPEX value; we expose
        # the OPEX figures here for information, the engine only applies b to city-paid capital expenditure.
        OptimismBiasPreset("outsourcing", 0.41, 0.0, None, None, "Outsourcing (OPEX uplift)"),
    )
}

DEFAULT_PROJECT_TYPE = "standard_buildings"


def optimism_bias_for(project_type: str, stage: Literal["upper", "lower"] = "upper") -> float:
    """CapEx optimism-bias uplift b for a project type (fraction). Raises KeyError for unknown types."""
    preset = OPTIMISM_BIAS_PRESETS[project_type]
    return preset.capex_upper if stage == "upper" else preset.capex_lower
