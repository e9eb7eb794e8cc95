"""Cross-holding components the compiled pass cannot certify on its own.

Gauss-Seidel stops short when a component's inner stakes come close to 100% around the
cycle (slow convergence), and a ``q`` certified below 1 does not exist when they reach it
(conflicting data: the least solution is infinite). Here such a component is decided
exactly divergent or not (pivots of ``I - M`` in exact arithmetic, the M-matrix test),
and a convergent one is solved by a sparse direct solve with the same certified bound as
the compiled pass. Values keep no exact part here; a bound that still cannot be certified
is infinite, which leaves the entities to the exact recomputation.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from ownergate.domain.shares import End
from ownergate.graph.prepare import Layer

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_U = 2.0**-53


def divergent(size: int, rows: IntArray, cols: IntArray, weights: list[Fraction]) -> bool:
    """Whether ``x = M x + b`` has no finite least solution for a positive ``b``:
    ``I - M`` is not a nonsingular M-matrix, i.e. some pivot of elimination is not positive.

    Exact (``Fraction``), sparse rows; eliminating in any order is a symmetric permutation,
    which keeps the M-matrix property.
    """
    a: list[dict[int, Fraction]] = [{i: Fraction(1)} for i in range(size)]
    for i, j, w in zip(rows.tolist(), cols.tolist(), weights, strict=True):
        a[i][j] = a[i].get(j, Fraction(0)) - w
    for k in range(size):
        pivot = a[k].get(k, Fraction(0))
        if pivot <= 0:
            return True
        row_k = a[k]
        for i in range(k + 1, size):
            factor = a[i].get(k)
            if not factor:
                continue
            factor /= pivot
            row_i = a[i]
            for j, value in row_k.items():
                if j >= k:
                    row_i[j] = row_i.get(j, Fraction(0)) - factor * value
            row_i.pop(k, None)
    return False


def settle_component(
    layer: Layer,
    end: End,
    members: IntArray,
    seeds: BoolArray,
    reach: BoolArray,
    num: IntArray,
    exp: npt.NDArray[np.int16],
    f: FloatArray,
    ferr: FloatArray,
    fpos: BoolArray,
) -> None:
    """Values and error bounds of one block's reached ``members``, written in place (the
    compiled pass has marked what the seeds reach inside the block)."""
    todo = [v for v in members.tolist() if reach[v] and not seeds[v]]
    m = len(todo)
    if not m:
        return
    local = {v: i for i, v in enumerate(todo)}
    units = layer.low_units if end is End.LOW else layer.high_units
    weight = layer.low if end is End.LOW else layer.high
    inflow = np.zeros(m)
    inflow_err = np.zeros(m)
    positive = np.zeros(m, dtype=bool)
    rows: list[int] = []
    cols: list[int] = []
    inner: list[int] = []
    for i, v in enumerate(todo):
        terms = 0
        for e in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
            u = int(layer.src[e])
            if units[e] <= 0 or not reach[u]:
                continue
            positive[i] = True
            if u in local:
                rows.append(i)
                cols.append(local[u])
                inner.append(e)
                continue
            terms += 1
            whole = float(num[u]) * 10.0 ** -float(exp[u]) + f[u]
            inflow[i] += weight[e] * whole
            inflow_err[i] += weight[e] * ferr[u]
        inflow_err[i] += inflow[i] * (terms + 6) * _U
    idx = np.asarray(todo, dtype=np.int64)
    num[idx] = 0
    exp[idx] = 0
    fpos[idx] = positive
    r, k = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    w = weight[np.asarray(inner, dtype=np.int64)]
    if not np.all(np.isfinite(inflow)) or divergent(
        m, r, k, [layer.exact_share(e, end) for e in inner]
    ):
        f[idx] = np.inf
        ferr[idx] = 0.0
        return
    mat = sp.csr_array((w, (r, k)), shape=(m, m))
    system = (sp.identity(m, format="csc") - mat.tocsc()).tocsc()
    x = np.atleast_1d(spsolve(system, inflow))
    z = np.atleast_1d(spsolve(system, np.ones(m)))
    gamma = (np.bincount(r, minlength=m) + 6) * _U
    mz, mx = mat @ z, mat @ x
    if np.any(z <= 0) or not np.all(np.isfinite(z)):
        q = np.inf
    else:
        q = float(np.max(mz * (1.0 + gamma) / z))
    s = inflow + mx
    resid = np.abs(x - s) + gamma * (s + np.abs(x)) + inflow_err
    f[idx] = np.maximum(x, 0.0)
    if q < 1.0:
        bound = float(np.max(resid / z)) / (1.0 - q) * (1.0 + 1e-9)
        ferr[idx] = z * bound + np.abs(np.minimum(x, 0.0))
    else:
        ferr[idx] = np.inf
