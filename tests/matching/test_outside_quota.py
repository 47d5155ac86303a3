"""The move-on places outside a landlord's quota (the `outside_quota` family).

Helsingborg's action plan (2018), Delmål 3: households moving on from a municipal contract are
let "med hyresgaranti utanför rådande kvot" — a landlord's `move_on_outside_quota` places a
year beside its quota, which only a household moving on may take."""

from __future__ import annotations

from matching import solve
from matching.constraints import family
from matching.eligibility import eligible_pairs
from matching.model import round_data
from matching.pins import check_pins
from matching.problem import Problem
from tests.matching.bruteforce import assert_hard_rules
from tests.matching.builders import household, landlord, problem, vacancy


def _town(outside: int, *, quota: int = 0) -> Problem:
    """A landlord with `quota` places and `outside` move-on places; a heavier ordinary
    household and a household moving on; two flats."""
    hs = [household(id="H1", weight=900), household(id="H2", weight=100, moving_on=True)]
    vs = [vacancy(id="V1"), vacancy(id="V2")]
    lo = landlord(quota=quota, move_on_outside_quota=outside)
    return problem(households=hs, vacancies=vs, landlords=[lo])


def test_a_used_up_quota_still_houses_a_household_moving_on_on_an_outside_place() -> None:
    """Quota used up, one outside place: the household moving on gets a flat, the heavier
    ordinary household does not (the outside place is not its to take)."""
    p = _town(outside=1)
    s = solve(p, workers=1)
    assert [a.household for a in s.assignments] == ["H2"]
    [unmatched] = s.unmatched
    assert unmatched.household == "H1"
    assert unmatched.reason == "quota and move-on places outside it of landlord L01"
    assert_hard_rules(p, s)


def test_the_outside_places_add_to_the_quota_for_households_moving_on_only() -> None:
    """Quota one, one outside place: both households are housed, the ordinary one on the
    quota place; without the outside place only the heavier ordinary one is."""
    both = solve(_town(outside=1, quota=1), workers=1)
    assert {a.household for a in both.assignments} == {"H1", "H2"}
    one = solve(_town(outside=0, quota=1), workers=1)
    assert [a.household for a in one.assignments] == ["H1"]
    assert one.unmatched[0].reason == "quota of landlord L01"


def test_an_outside_place_left_over_is_not_for_a_household_that_is_not_moving_on() -> None:
    """Quota one, two outside places, no household moving on: the second ordinary household
    is held back by the quota alone (its explanation names the quota), though the landlord
    still has places outside it."""
    hs = [household(id="H1", weight=900), household(id="H2", weight=800)]
    vs = [vacancy(id="V1"), vacancy(id="V2")]
    p = problem(households=hs, vacancies=vs, landlords=[landlord(quota=1, move_on_outside_quota=2)])
    s = solve(p, workers=1)
    assert [a.household for a in s.assignments] == ["H1"]
    [unmatched] = s.unmatched
    assert unmatched.reason == "quota of landlord L01"
    assert_hard_rules(p, s)


def test_no_outside_places_no_rows_and_the_document_reads_as_before() -> None:
    """A round without outside places has no row of the family (the benchmark path is
    unchanged), and its document carries neither new field."""
    p = _town(outside=0, quota=1)
    pins, _ = check_pins(p)
    data = round_data(p, eligible_pairs(p), pins)
    rows = data.rows_of("outside_quota")
    assert not rows.active.any()
    assert rows.pair_key.strides == (0,)  # one −1 seen by every pair: no array over them
    written = p.to_json()
    assert "move_on_outside_quota" not in written["landlords"][0]
    assert "moving_on" not in written["households"][0]
    assert written["households"][1]["moving_on"] is True
    assert Problem.from_json(written) == p
    outside = _town(outside=1).to_json()
    assert outside["landlords"][0]["move_on_outside_quota"] == 1
    assert Problem.from_json(outside).landlords[0].move_on_outside_quota == 1
    assert family("outside_quota").key_by == "ordinary_vacancy"
