"""Scale means, pooling of cohorts and the full evaluation report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .conventions import (
    DEFAULT_CONF_LEVEL,
    _as_float_array,
    _check_conf_level,
)
from .paired import paired_batch
from .reliability import cronbach_alpha


# --------------------------------------------------------------------------
# scale means and pooling
# --------------------------------------------------------------------------
def scale_means(
    matrix: Any,
    dimensions: Mapping[str, Sequence[int]],
    *,
    min_items: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-respondent scale mean of each dimension.

    ``matrix``: respondents x items (NaN = missing); ``dimensions`` maps a
    dimension name to the column indices of its items.  A respondent's scale
    mean is the mean of the items they answered if they answered at least
    ``min_items`` of them (default: all items of the dimension), else NaN.
    """
    x = _as_float_array("matrix", matrix, 2)
    out: dict[str, np.ndarray] = {}
    for name, cols in dimensions.items():
        idx = np.asarray(list(cols), dtype=int)
        if idx.size == 0:
            raise ValueError(f"dimension {name!r} has no items")
        if idx.min() < 0 or idx.max() >= x.shape[1]:
            raise ValueError(f"dimension {name!r} refers to a column outside the matrix")
        need = idx.size if min_items is None else int(min_items)
        if not 1 <= need <= idx.size:
            raise ValueError(f"min_items must be between 1 and {idx.size} for {name!r}")
        block = x[:, idx]
        answered = (~np.isnan(block)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.nansum(block, axis=1) / answered
        out[name] = np.where(answered >= need, means, np.nan)
    return out


def pool_cohorts(arrays: Sequence[Any]) -> np.ndarray:
    """Pool cohorts by concatenating their respondents (rows).

    Every array must have the same number of columns (items) in the same
    order.  Pooled statistics are then computed on the concatenated pairs,
    i.e. every respondent counts once and cohorts are weighted by their
    number of complete pairs; no cohort effect is modelled.
    """
    if len(arrays) == 0:
        raise ValueError("no cohort to pool")
    parts = [_as_float_array(f"cohort {i}", a, 2) for i, a in enumerate(arrays)]
    widths = {p.shape[1] for p in parts}
    if len(widths) != 1:
        raise ValueError(f"cohorts have different numbers of columns: {sorted(widths)}")
    pooled = np.concatenate(parts, axis=0)
    return pooled[:, 0] if np.ndim(arrays[0]) == 1 else pooled


# --------------------------------------------------------------------------
# the full report
# --------------------------------------------------------------------------
def evaluation_report(
    pre: Any,
    post: Any,
    then: Any = None,
    *,
    follow_up: Any = None,
    dimensions: Mapping[str, Sequence[int]] | None = None,
    item_labels: Sequence[str] | None = None,
    conf_level: float = DEFAULT_CONF_LEVEL,
    min_items: int | None = None,
) -> dict[str, Any]:
    """Item- and dimension-level statistics for one (possibly pooled) sample.

    ``pre``, ``post`` and optionally ``then`` (retrospective pre-test) and
    ``follow_up`` (months after the end) are respondents x items arrays with
    the same shape and row order (NaN = missing).  For every item and every
    dimension's scale mean the result holds ``pre_post`` (post - pre), with
    ``then`` also ``then_post`` (post - then) and with ``follow_up`` also
    ``pre_follow_up`` (follow-up - pre: the change that lasted), each in the
    form of :func:`paired_summary`; every dimension also holds Cronbach's
    alpha at each measurement.  To pool cohorts, concatenate them first with
    :func:`pool_cohorts`.
    """
    conf_level = _check_conf_level(conf_level)
    x_pre = _as_float_array("pre", pre, 2)
    x_post = _as_float_array("post", post, 2)
    shapes = {x_pre.shape, x_post.shape}
    x_then = x_follow = None
    if then is not None:
        x_then = _as_float_array("then", then, 2)
        shapes.add(x_then.shape)
    if follow_up is not None:
        x_follow = _as_float_array("follow_up", follow_up, 2)
        shapes.add(x_follow.shape)
    if len(shapes) != 1:
        raise ValueError("pre, post, then and follow_up must have the same shape, "
                         f"got {sorted(shapes)}")
    n_resp, k = x_pre.shape
    labels = list(item_labels) if item_labels is not None else [str(i) for i in range(k)]
    if len(labels) != k:
        raise ValueError(f"{len(labels)} item labels for {k} items")
    dims = dict(dimensions or {})

    measurements = {"pre": x_pre, "post": x_post}
    if x_then is not None:
        measurements["then"] = x_then
    if x_follow is not None:
        measurements["follow_up"] = x_follow
    dim_names = list(dims)
    scales = {
        name: scale_means(m, dims, min_items=min_items) if dims else {}
        for name, m in measurements.items()
    }

    def stack(measure: str) -> np.ndarray:
        cols = [measurements[measure]]
        if dim_names:
            cols.append(np.column_stack([scales[measure][d] for d in dim_names]))
        return np.hstack(cols)

    # (earlier, later) of each comparison; each is named "<earlier>_<later>".
    pairs = [("pre", "post")]
    if x_then is not None:
        pairs.append(("then", "post"))
    if x_follow is not None:
        pairs.append(("pre", "follow_up"))
    lefts = np.hstack([stack(earlier) for earlier, _later in pairs])
    rights = np.hstack([stack(later) for _earlier, later in pairs])
    records = paired_batch(lefts, rights, conf_level=conf_level)
    width = k + len(dim_names)
    comparisons = [f"{earlier}_{later}" for earlier, later in pairs]
    by_comparison = {name: records[i * width : (i + 1) * width]
                     for i, name in enumerate(comparisons)}

    items_out = []
    for i, label in enumerate(labels):
        entry: dict[str, Any] = {"item": label}
        for name in comparisons:
            entry[name] = by_comparison[name][i]
        items_out.append(entry)
    dims_out = []
    for j, name in enumerate(dim_names):
        entry = {"dimension": name, "items": [labels[c] for c in dims[name]]}
        for comparison in comparisons:
            entry[comparison] = by_comparison[comparison][k + j]
        entry["alpha"] = {
            meas: cronbach_alpha(matrix[:, list(dims[name])])
            for meas, matrix in measurements.items()
        }
        dims_out.append(entry)
    return {
        "n_respondents": int(n_resp),
        "conf_level": conf_level,
        "comparisons": comparisons,
        "items": items_out,
        "dimensions": dims_out,
    }
