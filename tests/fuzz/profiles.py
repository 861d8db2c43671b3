"""Hypothesis settings of the fuzz tests, scaled by the HYPOTHESIS_PROFILE environment variable.

- `ci` (the default) keeps the whole of tests/fuzz well under three minutes on two cores. It
  is derandomized (the same examples every run, so a fuzz test never fails a submission at
  random) and does not shrink: shrinking one failure of an import test took five minutes.
- `shrink`: the same examples, shrinking a failure to a minimal one (to read a CI failure).
- `long` explores: 20 times the examples, a fresh random seed each run, shrinking.

`HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/fuzz` (see docs/fuzzing.md).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)
PROFILES = {
    "ci": {"scale": 1, "derandomize": True, "phases": NO_SHRINK},
    "shrink": {"scale": 1, "derandomize": True, "phases": tuple(Phase)},
    "long": {"scale": 20, "derandomize": False, "phases": tuple(Phase)},
}
NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if NAME not in PROFILES:
    raise RuntimeError(f"HYPOTHESIS_PROFILE={NAME!r}: use one of {', '.join(PROFILES)}")
PROFILE = PROFILES[NAME]


def fuzz_settings(examples: int, **overrides) -> settings:
    """Settings for a fuzz test of `examples` examples under the `ci` profile.

    No deadline: a request or an import against PostgreSQL on a shared machine takes what
    it takes. Function-scoped fixtures are fine: each example rolls its writes back itself.
    """
    return settings(
        max_examples=examples * PROFILE["scale"],
        deadline=None,
        derandomize=PROFILE["derandomize"],
        phases=PROFILE["phases"],
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        **overrides,
    )
