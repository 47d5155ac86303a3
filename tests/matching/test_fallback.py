"""The greedy fallback used when the time limit ends the exact method keeps every hard rule."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from matching.eligibility import eligible_pairs
from matching.model import round_data
from matching.problem import Problem
from matching.solve import _check_pins, _greedy
from tests.matching.strategies import tiny_problems


@settings(max_examples=40, deadline=None)
@given(tiny_problems())
def test_the_greedy_fallback_never_breaks_a_round_constraint(p: Problem) -> None:
    pins, reason = _check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    chosen = _greedy(data, np.arange(data.n_pairs))
    if chosen is None:
        return
    ph, pv = data.ph[chosen], data.pv[chosen]
    assert len(set(ph.tolist())) == len(ph)
    assert len(set(pv.tolist())) == len(pv)
    per_landlord = np.bincount(data.v_land[pv], minlength=len(data.quota))
    assert np.all(per_landlord <= data.quota)
    exc = np.bincount(data.v_land[pv][data.pexc[chosen]], minlength=len(data.quota))
    assert np.all(exc <= data.exception_quota)
    per_area = np.bincount(data.v_area[pv], minlength=len(data.cap))
    assert np.all((per_area <= data.cap) | ~data.capped)
    assert int(data.newly[ph].sum()) >= data.newly_min
