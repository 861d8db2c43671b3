"""Hypothesis settings of the fuzz tests, scaled by the HYPOTHESIS_PROFILE environment variable.

`ci` (the default) keeps the whole of tests/fuzz well under three minutes on two cores and is
derandomized: the same examples every run, so that a fuzz test never fails a submission at
random. `long` explores: 20 times the examples, a fresh random seed each run. `HYPOTHESIS_PROFILE=
long .venv/bin/pytest tests/fuzz` (see docs/fuzzing.md).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = {
    "ci": {"scale": 1, "derandomize": True},
    "long": {"scale": 20, "derandomize": False},
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
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        **overrides,
    )
