"""Effect sizes recomputed from per-group numbers: plain numbers in, frozen dataclasses out.

Binary endpoints (events/total per arm) give risk difference, risk ratio, odds ratio, NNT, GRADE absolute
effects per 1000 and p-values; continuous endpoints (mean, SD/SE/CI, n per group) give the mean difference
and Hedges' g. ``consistency`` and ``rounding`` hold the helpers that compare printed statistics with the
recomputation. Importing this package loads SciPy and statsmodels; the command line imports it lazily.
"""

from evidencekb.effects.absolute import AbsolutePer1000, absolute_per_1000
from evidencekb.effects.analysis import BINARY_METHODS, BinaryAnalysis, analyse_binary
from evidencekb.effects.base import Estimate, PValue
from evidencekb.effects.binary import (
    FISHER_TEST,
    METHOD_LABELS,
    OR_METHODS,
    PEARSON_TEST,
    RD_METHODS,
    RR_METHODS,
    YATES_TEST,
    BinaryCounts,
    chi_square_p,
    fisher_exact_p,
    odds_ratio,
    risk_difference,
    risk_ratio,
)
from evidencekb.effects.consistency import (
    MethodMatch,
    PValueCheck,
    interval_method_matches,
    p_value_consistent,
)
from evidencekb.effects.continuous import (
    DEFAULT_VARIANCE,
    VARIANCE_LABELS,
    VARIANCES,
    ContinuousAnalysis,
    analyse_continuous,
    mean_difference,
    standardized_mean_difference,
    t_test_p,
)
from evidencekb.effects.groups import GroupMean, group_from_ci, group_from_se
from evidencekb.effects.nnt import NNT, format_nnt, number_needed_to_treat
from evidencekb.rounding import (
    grim_consistent,
    grim_totals,
    matches_printed,
    percentage_matches_counts,
    reported_value_interval,
)

__all__ = [
    "BINARY_METHODS",
    "DEFAULT_VARIANCE",
    "FISHER_TEST",
    "METHOD_LABELS",
    "NNT",
    "OR_METHODS",
    "PEARSON_TEST",
    "RD_METHODS",
    "RR_METHODS",
    "VARIANCES",
    "VARIANCE_LABELS",
    "YATES_TEST",
    "AbsolutePer1000",
    "BinaryAnalysis",
    "BinaryCounts",
    "ContinuousAnalysis",
    "Estimate",
    "GroupMean",
    "MethodMatch",
    "PValue",
    "PValueCheck",
    "absolute_per_1000",
    "analyse_binary",
    "analyse_continuous",
    "chi_square_p",
    "fisher_exact_p",
    "format_nnt",
    "grim_consistent",
    "grim_totals",
    "group_from_ci",
    "group_from_se",
    "interval_method_matches",
    "matches_printed",
    "mean_difference",
    "number_needed_to_treat",
    "odds_ratio",
    "p_value_consistent",
    "percentage_matches_counts",
    "reported_value_interval",
    "risk_difference",
    "risk_ratio",
    "standardized_mean_difference",
    "t_test_p",
]
