"""Vectorised profile likelihood for a binned (PE x time) Poisson counting analysis.

One model serves the CEvNS fit and the NSI scan: for every point ``p`` of a batch (a value
of the CEvNS normalisation, or a pair of NSI couplings), the expected beam-on coincidence
count in cell ``(i, j)`` (PE bin ``i``, time bin ``j``) is::

    mu_pij = c * (Sp_pi(delta) Pp_j + Sd_pi(delta) Pd_j)     CEvNS: prompt + delayed flavours
           + nu * Nn_i Pn_j                                  prompt beam neutrons
           + b_pij                                           steady-state background

with global nuisance parameters (one value per point)

* ``c``: the CEvNS normalisation (free, or Gaussian around 1, or held fixed);
* ``delta``: the quenching-factor pull, ``q = q0 + delta * sigma_q``, standard normal prior;
  the CEvNS PE spectra ``Sp, Sd`` are cubic splines in ``delta`` (a shift of the PE
  scale, not a normalisation);
* ``nu``: the prompt-neutron normalisation, Gaussian prior ``1 +- sigma_nu``;
* ``r``: the steady-state rate of the beam-off sample per window relative to beam on (free),

and one steady-state background ``b_pij`` per cell, constrained by the steady-state
control samples: the beam-on anticoincidence counts ``a_ij ~ Poisson(b_ij)`` and the
beam-off coincidence + anticoincidence counts ``o_ij ~ Poisson(2 r b_ij)``. For fixed
globals each ``b_pij`` maximises its own three Poisson terms in closed form (the positive
root of a quadratic: a Barlow-Beeston-style treatment of the data-driven template's
statistical uncertainty), so only the four globals need a numerical search: a damped
Newton iteration on the profiled log-likelihood (gradient by the envelope theorem, Hessian
by the Schur complement of the diagonal per-cell block), run for every point at once.
numpy only; no Python loop over points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Index of each global parameter in the parameter vector.
C, DELTA, NU, R = range(4)
N_GLOBAL = 4


@dataclass(frozen=True, eq=False)
class Splines:
    """Cubic splines in the quenching pull ``delta`` of the CEvNS PE spectra of M components.

    ``coef`` has shape ``(4, n_intervals, M, n_pe)`` (scipy ``CubicSpline.c`` layout) on the
    uniform ``nodes``; ``prompt`` (bool, shape ``(M,)``) says which components follow the
    prompt arrival-time PDF (the others follow the delayed one).
    """

    nodes: np.ndarray
    coef: np.ndarray
    prompt: np.ndarray

    @property
    def lo(self) -> float:
        return float(self.nodes[0])

    @property
    def hi(self) -> float:
        return float(self.nodes[-1])

    def evaluate(self, delta: np.ndarray, weights: np.ndarray):
        """Prompt and delayed spectra and their first two derivatives in ``delta``.

        ``delta`` shape ``(P,)``, ``weights`` shape ``(P, M)`` (the mix of components at each
        point). Returns six arrays of shape ``(P, n_pe)``: ``Sp, Sd, Sp', Sd', Sp'', Sd''``.
        """
        h = self.nodes[1] - self.nodes[0]
        x = np.clip(delta, self.lo, self.hi)
        k = np.minimum(((x - self.lo) / h).astype(int), self.coef.shape[1] - 1)
        t = (x - self.nodes[k])[:, None, None]
        c3, c2, c1, c0 = (self.coef[m, k] for m in range(4))  # (P, M, n_pe) each
        val = ((c3 * t + c2) * t + c1) * t + c0
        d1 = (3 * c3 * t + 2 * c2) * t + c1
        d2 = 6 * c3 * t + 2 * c2
        wp = weights * self.prompt
        wd = weights * ~self.prompt
        out = []
        for arr in (val, d1, d2):
            out.append(np.einsum("pm,pmi->pi", wp, arr))
            out.append(np.einsum("pm,pmi->pi", wd, arr))
        return tuple(out)


@dataclass(frozen=True, eq=False)
class CountingData:
    """The histograms and fixed templates of one binned analysis region (all ``(n_pe, n_t)``
    unless said otherwise)."""

    n: np.ndarray  # beam-on coincidence counts
    a: np.ndarray  # beam-on anticoincidence counts (steady state)
    o: np.ndarray  # beam-off coincidence + anticoincidence counts (steady state)
    prompt_time: np.ndarray  # (n_t,) arrival-time PDF of prompt neutrinos
    delayed_time: np.ndarray  # (n_t,) arrival-time PDF of delayed neutrinos
    neutrons: np.ndarray  # expected prompt neutrons per cell at nominal normalisation
    neutron_sigma: float  # fractional prior width of the neutron normalisation

    @property
    def m(self) -> np.ndarray:
        return self.a + self.o

    @property
    def r0(self) -> float:
        """Starting value of the beam-off ratio: its count over twice the beam-on AC count."""
        return float(self.o.sum()) / (2.0 * max(float(self.a.sum()), 1.0))


@dataclass(frozen=True, eq=False)
class Profile:
    """Profiled maxima for a batch of points: ``loglike`` (P,), ``params`` (P, 4) in the
    order ``c, delta, nu, r``, ``background`` (P,) the total steady-state events in the
    region, ``signal`` (P,) the total CEvNS events, ``converged`` (P,) bool."""

    loglike: np.ndarray
    params: np.ndarray
    background: np.ndarray
    signal: np.ndarray
    converged: np.ndarray


class ProfileLikelihood:
    """The profile likelihood of :mod:`cevns_widgets.stats._profile` for one dataset."""

    def __init__(self, data: CountingData, splines: Splines):
        self.data = data
        self.splines = splines
        shape = data.n.shape
        self._n = data.n.astype(float).ravel()  # cells flattened: (K,)
        self._m = data.m.astype(float).ravel()
        self._O = float(data.o.sum())
        self._neut = np.asarray(data.neutrons, dtype=float).ravel()
        self._pp = np.asarray(data.prompt_time, dtype=float)
        self._pd = np.asarray(data.delayed_time, dtype=float)
        self._shape = shape

    def _spread(self, prompt: np.ndarray, delayed: np.ndarray) -> np.ndarray:
        """(P, n_pe) prompt and delayed PE spectra -> (P, K) cells."""
        out = prompt[:, :, None] * self._pp + delayed[:, :, None] * self._pd
        return out.reshape(prompt.shape[0], -1)

    # --- the model -------------------------------------------------------------------
    def _state(self, theta, weights):
        return self._model_state(theta, weights, self._n, self._m)

    def _model_state(self, theta, weights, n, m):
        """Per-point model arrays for counts ``n`` (beam on) and ``m`` (sidebands): the
        CEvNS template, the closed-form steady state ``b`` and the expectation ``mu``."""
        sp, sd, sp1, sd1, sp2, sd2 = self.splines.evaluate(theta[:, DELTA], weights)
        tmpl = self._spread(sp, sd)  # (P, K)
        s = theta[:, C, None] * tmpl + theta[:, NU, None] * self._neut
        np.maximum(s, 0.0, out=s)
        kk = 2.0 + 2.0 * theta[:, R, None]  # 1 (C) + 1 (AC) + 2r (beam off)
        lin = kk * s - n - m
        b = (np.sqrt(lin * lin + 4.0 * kk * m * s) - lin) / (2.0 * kk)
        np.maximum(b, 0.0, out=b)
        return dict(sp1=sp1, sd1=sd1, sp2=sp2, sd2=sd2, tmpl=tmpl, b=b, mu=s + b, kk=kk)

    def _observed(self, st):
        """(n, m, O, (delta0, nu0, c0)): beam-on and sideband counts, the beam-off total and
        the centres of the quenching, neutron and CEvNS constraints (c0 None: the
        ``prior_c`` centre). The released data here; a batch subclass (toys) keeps
        per-point ones in its state."""
        return self._n, self._m, self._O, (0.0, 1.0, None)

    def _loglike(self, theta, st, prior_c):
        # n > 0 implies mu > 0 and m > 0 implies b > 0 (closed-form profile): the tiny
        # offset only turns 0 * log(0) into 0.
        mu, b = st["mu"], st["b"]
        n, m, O, (delta0, nu0, c0) = self._observed(st)  # noqa: E741
        c0 = prior_c[0] if c0 is None else c0
        ll = (n * np.log(mu + 1e-300) + m * np.log(b + 1e-300)).sum(axis=1)
        ll -= mu.sum(axis=1) + (st["kk"][:, 0] - 1.0) * b.sum(axis=1)
        ll += O * np.log(np.maximum(theta[:, R], 1e-300))
        ll -= 0.5 * (theta[:, DELTA] - delta0) ** 2
        ll -= 0.5 * ((theta[:, NU] - nu0) / self.data.neutron_sigma) ** 2
        sc = prior_c[1]
        if sc is not None:
            ll -= 0.5 * ((theta[:, C] - c0) / sc) ** 2
        return ll

    def _newton_step(self, theta, st, free, prior_c):
        """Newton direction on the profiled log-likelihood (Schur complement of the cells)."""
        n, m, O, (delta0, nu0, c0) = self._observed(st)  # noqa: E741
        c0 = prior_c[0] if c0 is None else c0
        mu, b = st["mu"], st["b"]
        P, K = mu.shape
        c = theta[:, C, None]
        pos = mu > 0
        inv_mu = np.where(pos, 1.0 / np.where(pos, mu, 1.0), 0.0)
        w = n * inv_mu
        fisher = w * inv_mu  # n / mu^2
        inner = b > 0  # cells at b = 0 sit on their boundary: no Schur term
        hbb = fisher + np.where(inner, m / np.where(inner, b * b, 1.0), 0.0)  # -d2/db2
        g = np.where(inner & (hbb > 0), 1.0 / np.where(hbb > 0, hbb, 1.0), 0.0)
        d_c = st["tmpl"]
        shape1 = self._spread(st["sp1"], st["sd1"])
        d_q = c * shape1
        d_n = self._neut
        resid = w - 1.0
        grad = np.empty((P, N_GLOBAL))
        grad[:, C] = np.einsum("pk,pk->p", resid, d_c)
        grad[:, DELTA] = np.einsum("pk,pk->p", resid, d_q)
        grad[:, NU] = resid @ d_n
        grad[:, R] = O / theta[:, R] - 2.0 * b.sum(axis=1)
        # Hessian of the profiled lnL: direct -F D D^T plus the Schur term of the cells,
        # coup G coup^T with coup = -F D (globals) and -2 (r), G = 1 / (-d2 lnL / db2):
        # for the CEvNS/neutron globals together -(F - F^2 G) D D^T.
        e = fisher * (1.0 - fisher * g)
        fg2 = 2.0 * fisher * g
        ec, eq = e * d_c, e * d_q
        hess = np.empty((P, N_GLOBAL, N_GLOBAL))
        hess[:, C, C] = -np.einsum("pk,pk->p", ec, d_c)
        hess[:, C, DELTA] = -np.einsum("pk,pk->p", ec, d_q)
        hess[:, C, NU] = -(ec @ d_n)
        hess[:, DELTA, DELTA] = -np.einsum("pk,pk->p", eq, d_q)
        hess[:, DELTA, NU] = -(eq @ d_n)
        hess[:, NU, NU] = -(e @ (d_n * d_n))
        hess[:, C, R] = np.einsum("pk,pk->p", fg2, d_c)
        hess[:, DELTA, R] = np.einsum("pk,pk->p", fg2, d_q)
        hess[:, NU, R] = fg2 @ d_n
        hess[:, R, R] = 4.0 * g.sum(axis=1)
        for i in range(N_GLOBAL):
            for j in range(i):
                hess[:, i, j] = hess[:, j, i]
        hess[:, C, DELTA] += np.einsum("pk,pk->p", resid, shape1)
        hess[:, DELTA, C] = hess[:, C, DELTA]
        hess[:, DELTA, DELTA] += theta[:, C] * np.einsum(
            "pk,pk->p", resid, self._spread(st["sp2"], st["sd2"])
        )
        hess[:, R, R] -= O / np.maximum(theta[:, R], 1e-300) ** 2
        # priors
        grad[:, DELTA] -= theta[:, DELTA] - delta0
        hess[:, DELTA, DELTA] -= 1.0
        sn = self.data.neutron_sigma
        grad[:, NU] -= (theta[:, NU] - nu0) / sn**2
        hess[:, NU, NU] -= 1.0 / sn**2
        sc = prior_c[1]
        if sc is not None:
            grad[:, C] -= (theta[:, C] - c0) / sc**2
            hess[:, C, C] -= 1.0 / sc**2
        # fixed parameters: no step
        fixed = ~free
        grad[:, fixed] = 0.0
        hess[:, fixed, :] = 0.0
        hess[:, :, fixed] = 0.0
        hess[:, fixed, fixed] = -1.0
        # make -hess positive definite (Levenberg shift where it is not)
        eig = np.linalg.eigvalsh(hess)
        shift = np.where(eig[:, -1] > -1e-8, eig[:, -1] + 1e-3 * (1.0 + np.abs(eig[:, 0])), 0.0)
        hess = hess - shift[:, None, None] * np.eye(N_GLOBAL)
        step = -np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        return step, grad

    # --- public ----------------------------------------------------------------------
    def profile(
        self,
        weights: np.ndarray,
        *,
        c=None,
        prior_c: tuple[float, float | None] = (1.0, None),
        start: np.ndarray | None = None,
        max_iter: int = 40,
        tol: float = 1e-5,
    ) -> Profile:
        """Maximise over the nuisance parameters at every point of a batch.

        ``weights`` (P, M): the component mix at each point. ``c``: ``None`` to fit the
        CEvNS normalisation (with the Gaussian ``prior_c = (centre, sigma)``, or free if
        sigma is None), or an array (P,) of values to hold it at.
        """
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        P = weights.shape[0]
        free = np.ones(N_GLOBAL, dtype=bool)
        theta = np.empty((P, N_GLOBAL))
        theta[:, C] = 1.0
        theta[:, DELTA] = 0.0
        theta[:, NU] = 1.0
        theta[:, R] = self.data.r0
        if start is not None:
            theta[:] = start
        if c is not None:
            theta[:, C] = np.broadcast_to(np.asarray(c, dtype=float), (P,))
            free[C] = False
        lo = np.array([0.0, self.splines.lo, 0.0, 1e-6])
        hi = np.array([np.inf, self.splines.hi, np.inf, np.inf])
        theta = np.clip(theta, lo, hi)
        st = self._state(theta, weights)
        ll = self._loglike(theta, st, prior_c)
        converged = np.zeros(P, dtype=bool)
        for _ in range(max_iter):
            idx = np.nonzero(~converged)[0]
            if idx.size == 0:
                break
            th, w, ll0 = theta[idx], weights[idx], ll[idx]
            sub = {k: v[idx] for k, v in st.items()}
            step, grad = self._newton_step(th, sub, free, prior_c)
            gain = (grad * step).sum(axis=1)  # twice the predicted increase (Newton)
            scale = np.ones(idx.size)
            new_th, new_ll, new_st = th.copy(), ll0.copy(), sub
            pending = np.ones(idx.size, dtype=bool)
            for _halving in range(12):
                pi = np.nonzero(pending)[0]  # only the points still searching are tried
                trial = np.clip(th[pi] + scale[pi, None] * step[pi], lo, hi)
                tst = self._state(trial, w[pi])
                tll = self._loglike(trial, tst, prior_c)
                ok = tll >= ll0[pi] - 1e-12
                acc = pi[ok]
                new_th[acc] = trial[ok]
                new_ll[acc] = tll[ok]
                for k, v in tst.items():
                    new_st[k][acc] = v[ok]
                pending[acc] = False
                if not pending.any():
                    break
                scale[pending] *= 0.5
            improved = new_ll - ll0
            theta[idx] = new_th
            ll[idx] = new_ll
            for k, v in new_st.items():
                st[k][idx] = v
            done = (np.abs(gain) < tol) | (pending & (improved <= 0))
            done |= (improved < 0.1 * tol) & (np.abs(scale * gain) < 10 * tol)
            converged[idx[done]] = True
        signal = theta[:, C] * st["tmpl"].sum(axis=1)
        return Profile(
            loglike=ll,
            params=theta,
            background=st["b"].sum(axis=1),
            signal=signal,
            converged=converged,
        )
