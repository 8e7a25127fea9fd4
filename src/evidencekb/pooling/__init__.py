"""Meta-analysis across studies: the pooling stage, plain numbers in and frozen results out, no I/O.

``pool`` combines per-study data (``BinaryStudy``, ``ContinuousStudy``, ``EstimateStudy``) as
``PoolOptions`` say; ``leave_one_out`` and ``cumulative`` repeat it for the sensitivity analyses readers
ask for. statsmodels supplies the per-study binary effects, DerSimonian-Laird and Paule-Mandel tau^2 and
the Mantel-Haenszel odds ratio; the rest (REML, Q-profile, Mantel-Haenszel RR and RD variances, Peto,
HKSJ, prediction interval) is written here and tested against metafor, R meta and Stata metan output.
"""

from evidencekb.pooling.engine import (
    COMMON_METHODS,
    METHOD_NAMES,
    PooledResult,
    PoolOptions,
    SensitivityStep,
    StudyResult,
    cumulative,
    leave_one_out,
    pool,
)
from evidencekb.pooling.heterogeneity import ESTIMATORS, Heterogeneity
from evidencekb.pooling.studies import (
    FIRST_PERIOD,
    WITHIN_PATIENT,
    BinaryStudy,
    ContinuousStudy,
    EstimateStudy,
    Study,
)
from evidencekb.pooling.study_effects import BINARY_MEASURES, CONTINUOUS_MEASURES, MEASURES

__all__ = [
    "BINARY_MEASURES",
    "COMMON_METHODS",
    "CONTINUOUS_MEASURES",
    "ESTIMATORS",
    "FIRST_PERIOD",
    "MEASURES",
    "METHOD_NAMES",
    "WITHIN_PATIENT",
    "BinaryStudy",
    "ContinuousStudy",
    "EstimateStudy",
    "Heterogeneity",
    "PoolOptions",
    "PooledResult",
    "SensitivityStep",
    "Study",
    "StudyResult",
    "cumulative",
    "leave_one_out",
    "pool",
]
