"""Vectorised profile likelihoods with per-point data: the machinery of the profiles and toys.

Two likelihoods, each maximised over its nuisances for a whole batch of points at once
(numpy, no Python loop over points), each point with its own physics template *and* its
own data, so that the same code profiles the released data at many parameter values and
thousands of pseudo-experiments (Feldman-Cousins toys, :mod:`cevns_widgets.stats.fc`):

* :class:`CsIBatch` -- the CsI 2017 (PE x time) likelihood of
  :mod:`cevns_widgets.stats._profile` (same model, same damped Newton iteration, same
  closed-form per-cell steady-state background), generalised to per-point counts ``n``
  (beam-on coincidence), ``m`` (anticoincidence + beam-off), ``O`` (beam-off total) and
  per-point centres of the Gaussian constraints (quenching pull, prompt-neutron and CEvNS
  normalisations): the auxiliary measurements of a toy. The batch travels through the
  ``weights`` argument of :meth:`ProfileLikelihood.profile`, which slices it per point
  (:meth:`CsIBatch.pack`).
* :class:`LArBatch` -- the CENNS-10 LAr 2020 analysis-A likelihood of
  :mod:`cevns_widgets.stats.lar2020` (the release's 3-D PDFs, prediction priors and five
  shape systematics) with the CEvNS count tied to the prediction through a normalisation
  ``a`` (Gaussian prior) and a per-cell physics reweighting ``rho`` of the release's CEvNS
  PDF; maximised by a projected damped Newton iteration (analytic gradient and Hessian,
  Levenberg shift where the Hessian is not negative definite, bounds by an active set).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ._profile import ProfileLikelihood
from .lar2020 import PULL_BOUND


class CsIBatch(ProfileLikelihood):
    """:class:`~cevns_widgets.stats._profile.ProfileLikelihood` with per-point data.

    ``profile(pack(weights, ...), prior_c=(1, sigma))``: every point has its component
    weights, its counts and the centres of its Gaussian constraints (``delta0`` of the
    quenching pull, ``nu0`` of the prompt-neutron normalisation, ``c0`` of the CEvNS
    normalisation, whose width is ``prior_c[1]``). With the released data and the nominal
    centres it is the parent likelihood exactly (``tests/test_profiles.py``).
    """

    def __init__(self, data, splines):
        super().__init__(data, splines)
        self._M = int(splines.coef.shape[2])
        self._K = int(self._n.size)

    @property
    def n_components(self) -> int:
        return self._M

    def pack(self, weights, n=None, m=None, O=None, centres=None) -> np.ndarray:  # noqa: E741
        """The per-point batch: weights (P, M), counts n, m (P, K), O (P,), centres (P, 3)."""
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        P, M, K = weights.shape[0], self._M, self._K
        out = np.empty((P, M + 2 * K + 4))
        out[:, :M] = weights
        out[:, M : M + K] = self._n if n is None else n
        out[:, M + K : M + 2 * K] = self._m if m is None else m
        out[:, M + 2 * K] = self._O if O is None else O
        out[:, M + 2 * K + 1 :] = (0.0, 1.0, 1.0) if centres is None else centres
        return out

    def _state(self, theta, packed):
        M, K = self._M, self._K
        n = packed[:, M : M + K]
        m = packed[:, M + K : M + 2 * K]
        st = self._model_state(theta, packed[:, :M], n, m)
        st.update(n=n, m=m, aux=packed[:, M + 2 * K :])  # aux: O, delta0, nu0, c0
        return st

    def _observed(self, st):
        aux = st["aux"]
        return st["n"], st["m"], aux[:, 0], (aux[:, 1], aux[:, 2], aux[:, 3])

    def cells(self, theta: np.ndarray, packed: np.ndarray):
        """Expected beam-on counts ``mu`` and steady-state ``b`` per cell, shape (P, K)."""
        st = self._state(np.atleast_2d(theta), np.atleast_2d(packed))
        return st["mu"], st["b"]


# --- LAr 2020 --------------------------------------------------------------------------------

#: Parameter order of :class:`LArBatch`: CEvNS normalisation, prompt BRN, delayed BRN and
#: steady-state counts, then the five shape pulls of lar2020.SYSTEMATICS.
A, NB, ND, NS = range(4)


@dataclass(frozen=True, eq=False)
class LArProfile:
    """Profiled maxima: ``loglike`` (P,) (ln L up to a data-only constant), ``params``
    (P, 9), ``signal`` (P,) CEvNS events in the region, ``converged`` (P,)."""

    loglike: np.ndarray
    params: np.ndarray
    signal: np.ndarray
    converged: np.ndarray


def _interp(t: np.ndarray):
    """Quadratic inside |t| <= 1, linear (C1) beyond: g, g', g'' of lar2020.Shape."""
    inside = np.abs(t) <= 1
    g = np.where(inside, t * t, 2 * np.abs(t) - 1)
    d1 = np.where(inside, 2 * t, 2 * np.sign(t))
    d2 = np.where(inside, 2.0, 0.0)
    return g, d1, d2


class LArBatch:
    """The analysis-A likelihood of :mod:`~cevns_widgets.stats.lar2020`, vectorised.

    Expected counts per cell ``k`` at a point::

        lambda_k = n0 a rho_k C_k(theta_c) + nb B_k(theta_b) + nd D_k + ns S_k

    ``n0``: the CEvNS prediction (the release's 128 events), ``a`` its normalisation with a
    Gaussian prior of width ``sigma_a`` (``None``: free, and then ``n0 a`` is the free
    CEvNS count of the release fit), ``rho`` (P, K) the physics reweighting of the
    release's CEvNS PDF (1 at the Standard Model). Priors as in lar2020; their centres and
    the counts may differ per point (toys).
    """

    def __init__(self, model, n0: float, sigma_a: float | None):
        self.model = model
        self.n0 = float(n0)
        self.sigma_a = sigma_a
        self.counts = model.counts
        self.K = model.counts.size
        self.n_syst = model.n_syst
        self.n_par = 4 + self.n_syst
        self.ic = np.array(model.cevns.index) + 4  # parameter indices of the CEvNS pulls
        self.ib = np.array(model.prompt_brn.index) + 4
        sig_a = sigma_a if sigma_a is not None else 1.0
        self.scale = np.r_[sig_a, model.prior_sigma, np.ones(self.n_syst)]
        self.lo = np.r_[0.0, 0.0, 0.0, 0.0, -np.full(self.n_syst, PULL_BOUND)]
        self.hi = np.r_[np.inf, np.inf, np.inf, np.inf, np.full(self.n_syst, PULL_BOUND)]
        self.default_centres = np.r_[1.0, model.prior_mean, np.zeros(self.n_syst)]

    # model pieces ---------------------------------------------------------------------------
    def _shape(self, shape, t, derivatives: bool = True):
        """(P, K) value and (P, r, K) first and second derivatives in the shape's own pulls."""
        g, d1, d2 = _interp(t)
        val = shape.nominal + t @ shape.a + g @ shape.b
        if not derivatives:
            return val, None, None
        der1 = shape.a[None] + d1[:, :, None] * shape.b[None]
        der2 = d2[:, :, None] * shape.b[None]
        return val, der1, der2

    def expected(self, p: np.ndarray, rho: np.ndarray) -> np.ndarray:
        """lambda (P, K) at parameters ``p`` (P, 9)."""
        cv = self._shape(self.model.cevns, p[:, self.ic], False)[0]
        bv = self._shape(self.model.prompt_brn, p[:, self.ib], False)[0]
        return (
            (p[:, A, None] * self.n0) * rho * cv
            + p[:, NB, None] * bv
            + p[:, ND, None] * self.model.delayed_brn
            + p[:, NS, None] * self.model.steady_state
        )

    def _nll(self, p, rho, n, centres):
        lam = np.maximum(self.expected(p, rho), 1e-12)
        val = (lam - n * np.log(lam)).sum(axis=1)
        pull = (p - centres) / self.scale
        if self.sigma_a is None:
            pull[:, A] = 0.0
        return val + 0.5 * (pull * pull).sum(axis=1), lam

    def _grad_hess(self, p, rho, n, centres, lam):
        cv, c1, c2 = self._shape(self.model.cevns, p[:, self.ic])
        bv, b1, b2 = self._shape(self.model.prompt_brn, p[:, self.ib])
        P, K = lam.shape
        npar = self.n_par
        r = n / lam
        w = 1.0 - r  # d nll / d lambda
        nrho = self.n0 * rho
        J = np.empty((P, npar, K))
        J[:, A] = nrho * cv
        J[:, NB] = bv
        J[:, ND] = self.model.delayed_brn
        J[:, NS] = self.model.steady_state
        J[:, self.ic] = p[:, A, None, None] * nrho[:, None, :] * c1
        J[:, self.ib] = p[:, NB, None, None] * b1
        grad = np.einsum("pik,pk->pi", J, w, optimize=True)
        fisher = r / lam
        hess = np.einsum("pik,pjk->pij", J * fisher[:, None, :], J, optimize=True)
        # second derivatives of lambda, times (1 - n / lambda)
        wr = w * nrho
        cross_c = np.einsum("prk,pk->pr", c1, wr, optimize=True)  # d2 / da dtheta_c
        hess[:, A, self.ic] += cross_c
        hess[:, self.ic, A] += cross_c
        diag_c = p[:, A, None] * np.einsum("prk,pk->pr", c2, wr, optimize=True)
        hess[:, self.ic, self.ic] += diag_c
        cross_b = np.einsum("prk,pk->pr", b1, w, optimize=True)
        hess[:, NB, self.ib] += cross_b
        hess[:, self.ib, NB] += cross_b
        hess[:, self.ib, self.ib] += p[:, NB, None] * np.einsum("prk,pk->pr", b2, w, optimize=True)
        inv2 = 1.0 / self.scale**2
        if self.sigma_a is None:
            inv2 = inv2.copy()
            inv2[A] = 0.0
        grad += (p - centres) * inv2
        hess[:, np.arange(npar), np.arange(npar)] += inv2
        return grad, hess

    def profile(
        self,
        rho: np.ndarray,
        *,
        counts: np.ndarray | None = None,
        centres: np.ndarray | None = None,
        start: np.ndarray | None = None,
        max_iter: int = 100,
        tol: float = 1e-7,
        chunk: int = 512,
        workers: int | None = 1,
    ) -> LArProfile:
        """Maximise over all nuisances at every point (rows of ``rho``)."""
        rho = np.atleast_2d(np.asarray(rho, dtype=float))
        P = rho.shape[0]
        n = self.counts if counts is None else np.broadcast_to(counts, (P, self.K))
        cen = np.broadcast_to(self.default_centres if centres is None else centres, (P, self.n_par))
        if start is None:
            # the nominal nuisances, with the CEvNS count at its prior (or, free, at n0)
            start = np.broadcast_to(cen, (P, self.n_par)).copy()
            total = rho @ self.model.cevns.nominal
            a0 = start[:, A] if self.sigma_a is not None else np.ones(P)
            start[:, A] = a0 / np.maximum(total, 1e-3)
        st = np.broadcast_to(start, (P, self.n_par))
        out_ll = np.empty(P)
        out_p = np.empty((P, self.n_par))
        out_c = np.empty(P, dtype=bool)

        def run(sl):
            nn = n[sl] if n.ndim == 2 else np.broadcast_to(n, (sl.stop - sl.start, self.K))
            ll, pp, cc = self._newton(rho[sl], nn, cen[sl], np.array(st[sl]), max_iter, tol)
            out_ll[sl], out_p[sl], out_c[sl] = ll, pp, cc

        slices = [slice(lo, min(P, lo + chunk)) for lo in range(0, P, chunk)]
        n_workers = max(1, min(workers or os.cpu_count() or 1, len(slices)))
        if n_workers == 1:
            for sl in slices:
                run(sl)
        else:  # numpy releases the GIL in its array loops: threads share the cores
            with ThreadPoolExecutor(n_workers) as pool:
                list(pool.map(run, slices))
        lam_c = self._shape(self.model.cevns, out_p[:, self.ic], False)[0]
        signal = self.n0 * out_p[:, A] * (rho * lam_c).sum(axis=1)
        return LArProfile(loglike=-out_ll, params=out_p, signal=signal, converged=out_c)

    def _newton(self, rho, n, centres, p, max_iter, tol):
        P = p.shape[0]
        p = np.clip(p, self.lo, self.hi)
        val, lam = self._nll(p, rho, n, centres)
        done = np.zeros(P, dtype=bool)
        s = self.scale
        eye = np.eye(self.n_par)
        for _ in range(max_iter):
            idx = np.nonzero(~done)[0]
            if idx.size == 0:
                break
            pi, ri, ni, ci = p[idx], rho[idx], n[idx], centres[idx]
            grad, hess = self._grad_hess(pi, ri, ni, ci, lam[idx])
            # scaled variables u = p / s; bounds by an active set
            gu = grad * s
            hu = hess * s[None, :, None] * s[None, None, :]
            act = ((pi <= self.lo + 1e-12) & (gu > 0)) | ((pi >= self.hi - 1e-12) & (gu < 0))
            gu = np.where(act, 0.0, gu)
            keep = ~act
            hu = hu * keep[:, :, None] * keep[:, None, :] + act[:, :, None] * eye
            eig = np.linalg.eigvalsh(hu)
            shift = np.where(eig[:, 0] < 1e-8, -eig[:, 0] + 1e-3 * (1.0 + np.abs(eig[:, -1])), 0.0)
            hu = hu + shift[:, None, None] * eye
            step_u = -np.linalg.solve(hu, gu[:, :, None])[:, :, 0]
            gain = -(gu * step_u).sum(axis=1)  # twice the predicted decrease (Newton)
            step = step_u * s
            scale = np.ones(idx.size)
            v0 = val[idx]
            new_p, new_v, new_lam = pi.copy(), v0.copy(), lam[idx].copy()
            pending = np.ones(idx.size, dtype=bool)
            for _halving in range(14):
                q = np.nonzero(pending)[0]
                trial = np.clip(pi[q] + scale[q, None] * step[q], self.lo, self.hi)
                tv, tl = self._nll(trial, ri[q], ni[q], ci[q])
                ok = tv <= v0[q] + 1e-12
                acc = q[ok]
                new_p[acc], new_v[acc], new_lam[acc] = trial[ok], tv[ok], tl[ok]
                pending[acc] = False
                if not pending.any():
                    break
                scale[pending] *= 0.5
            improved = v0 - new_v
            p[idx], val[idx], lam[idx] = new_p, new_v, new_lam
            fin = (np.abs(gain) < tol) | (pending & (improved <= 0))
            fin |= (improved < 0.1 * tol) & (np.abs(scale * gain) < 10 * tol)
            done[idx[fin]] = True
        return val, p, done
