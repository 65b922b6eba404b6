"""Calibrated confidence of a name reading: the probability that its top candidate is right.

The posterior over delegations (:mod:`.evidence`) says which delegation a
fragment is *if it is a name*; it knows nothing of the doubt that the
fragment is a name at all, and it is over-confident on short remnants.  The
confidence is a logistic regression on three features of a reading
(:func:`feature_vector`):

``logit_posterior``  log-odds of the top candidate's posterior (clipped);
``name_vs_prose``    log P(fragment | some delegation name) − log P(fragment |
                     damaged prose) (:mod:`.prose`), clipped: how much better
                     "name" explains the characters than "ordinary text";
``log_anchors``      log(1 + confidently read names in the same list): a
                     fragment among clear names is a name.

The coefficients (:data:`CALIBRATION`) were fitted by
:func:`treatydrafts.analysis.recovery.fit_calibration` on the judged readings
of the **development half** of the validation set (``data/validation``;
``tests/test_recovery_validation.py`` refits them and compares).  A reading
whose confidence is below :data:`ACCEPT` abstains: no ``delegation_id``, its
candidates listed.  The document writes "EU and its member States", so the odds
of a reading whose top candidate is an EU member State are multiplied by
:data:`EU_MEMBER_ODDS` (a prior, not fitted: the validation set has no EU member
named on its own).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .evidence import eu_members

ACCEPT = 0.80  # minimum calibrated confidence for a resolved name
EU_MEMBER_ODDS = 0.02  # prior odds factor of a reading whose top candidate is an EU member State
FEATURES = ("logit_posterior", "name_vs_prose", "log_anchors")
_CLIP = {"logit_posterior": (-8.0, 12.0), "name_vs_prose": (-20.0, 30.0), "log_anchors": (0.0, 10.0)}


@dataclass(frozen=True)
class Calibration:
    """Logistic-regression coefficients over :data:`FEATURES`, and the acceptance threshold."""

    coefficients: tuple[float, ...]
    intercept: float
    accept: float = ACCEPT


def feature_vector(features: dict[str, float]) -> np.ndarray:
    """The calibration features of one reading from its raw features (posterior, log_lik,
    prose_loglik, n_anchors)."""
    p = min(max(float(features.get("posterior", 0.0)), 1e-6), 1 - 1e-6)
    raw = {"logit_posterior": math.log(p / (1 - p)),
           "name_vs_prose": float(features.get("log_lik", -50.0)) - float(features.get("prose_loglik", 0.0)),
           "log_anchors": math.log1p(max(float(features.get("n_anchors", 0.0)), 0.0))}
    return np.array([min(max(raw[f], _CLIP[f][0]), _CLIP[f][1]) for f in FEATURES])


# Fitted on the development half (see the module docstring); do not edit by hand.
CALIBRATION = Calibration(coefficients=(0.1842, 0.2395, 0.8775), intercept=-1.2816)


def confidence(features: dict[str, float], calibration: Calibration | None = None) -> float:
    """Calibrated probability that the reading's top candidate is right (0 without a candidate)."""
    if not features.get("posterior", 0.0) > 0:
        return 0.0
    cal = calibration or CALIBRATION
    z = float(np.dot(cal.coefficients, feature_vector(features))) + cal.intercept
    return 1.0 / (1.0 + math.exp(-z))


def confidences(features: list[dict[str, float]], calibration: Calibration | None = None,
                top_ids: list[str] | None = None) -> np.ndarray:
    """:func:`confidence` of many readings at once; with ``top_ids`` (each reading's top candidate)
    the odds of a reading whose top candidate is an EU member State are multiplied by
    :data:`EU_MEMBER_ODDS` (the document writes "EU and its member States": a member read on its
    own needs strong evidence)."""
    if not features:
        return np.zeros(0)
    cal = calibration or CALIBRATION
    p = np.clip(np.array([f.get("posterior", 0.0) for f in features], dtype=float), 1e-6, 1 - 1e-6)
    raw = {"logit_posterior": np.log(p / (1 - p)),
           "name_vs_prose": np.array([f.get("log_lik", -50.0) - f.get("prose_loglik", 0.0) for f in features]),
           "log_anchors": np.log1p(np.maximum([f.get("n_anchors", 0.0) for f in features], 0.0))}
    X = np.column_stack([np.clip(raw[f], *_CLIP[f]) for f in FEATURES])
    z = X @ np.asarray(cal.coefficients) + cal.intercept
    if top_ids is not None:
        eu = eu_members()
        z = z + np.where([t in eu for t in top_ids], math.log(EU_MEMBER_ODDS), 0.0)
    conf = 1.0 / (1.0 + np.exp(-z))
    return np.where(np.array([f.get("posterior", 0.0) for f in features]) > 0, conf, 0.0)


def threshold(calibration: Calibration | None = None) -> float:
    """The acceptance threshold of ``calibration`` (default :data:`CALIBRATION`)."""
    return (calibration or CALIBRATION).accept
