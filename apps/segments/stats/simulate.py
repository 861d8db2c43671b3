"""Draw member histories from the BG/NBD and Gamma-Gamma generative processes (for tests)."""

from __future__ import annotations

import numpy as np

__all__ = ["simulate_bgnbd", "simulate_gamma_gamma_spend"]


def simulate_bgnbd(
    T, *, r: float, alpha: float, a: float, b: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (x, t_x) for members of ages T drawn from the BG/NBD process (FHL 2005 §3).

    λ ~ Gamma(r, rate α) and p ~ Beta(a, b) per member; purchases follow a Poisson(λ) process
    and after each repeat purchase the member drops out with probability p, so the number of
    repeat purchases until drop-out J is Geometric(p) on {1, 2, ...}. With N ~ Poisson(λT)
    purchases of the undisturbed process in (0, T], x = min(N, J), and given N = n the x-th
    arrival time is T times the x-th order statistic of n uniforms, a Beta(x, n - x + 1) draw.
    """
    T = np.asarray(T, dtype=np.float64)
    n = T.size
    lam = rng.gamma(r, 1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    drop_after = rng.geometric(np.clip(p, 1e-300, 1.0), size=n)
    events = rng.poisson(lam * T)
    x = np.minimum(events, drop_after)
    t_x = np.zeros(n)
    has = x > 0
    t_x[has] = T[has] * rng.beta(x[has], events[has] - x[has] + 1)
    return x.astype(np.float64), t_x


def simulate_gamma_gamma_spend(
    x, *, p: float, q: float, gamma: float, rng: np.random.Generator
) -> np.ndarray:
    """Return each member's mean spend over x purchases (0 where x = 0).

    ν ~ Gamma(q, rate γ) per member and each spend ~ Gamma(p, rate ν), so the mean of x spends
    is Gamma(px, rate νx) (FH 2013 §2).
    """
    x = np.asarray(x, dtype=np.float64)
    nu = rng.gamma(q, 1.0 / gamma, size=x.size)
    out = np.zeros(x.size)
    has = x > 0
    out[has] = rng.gamma(p * x[has], 1.0 / (nu[has] * x[has]))
    return out
