"""Readiness scores: plain functions, so no database is needed."""

import pytest

from assessments.reporting.scoring import (
    Band,
    PartnershipDimension,
    band,
    dimension_score,
    overall_score,
    partnership_dimension,
)

# dimension_score


def test_a_dimension_score_is_the_weighted_mean_of_its_answered_levels():
    """(2*3 + 4*1) / (3+1) = 10 / 4 = 2.5"""
    assert dimension_score([(2, 3), (4, 1)]) == 2.5


def test_unanswered_statements_are_left_out_of_a_dimension_score():
    """Only (3, weight 2) counts: 3*2 / 2 = 3.0. Counting the unanswered one as 0 would
    give 6 / 5 = 1.2."""
    assert dimension_score([(3, 2), (None, 3)]) == 3.0


def test_a_dimension_with_nothing_answered_has_no_score():
    assert dimension_score([(None, 2), (None, 3)]) is None


def test_a_dimension_with_no_statements_has_no_score():
    assert dimension_score([]) is None


def test_a_dimension_answered_all_at_level_zero_scores_zero_not_none():
    """(0*2 + 0*3) / (2+3) = 0.0: answered, just not started."""
    score = dimension_score([(0, 2), (0, 3)])
    assert score is not None
    assert score == 0.0


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # (2*3 + 3*1) / (3+1) = 9 / 4 = 2.25 -> 2.3 (banker's rounding would give 2.2)
        ([(2, 3), (3, 1)], 2.3),
        # (2*13 + 3*7) / (13+7) = 47 / 20 = 2.35 -> 2.4
        ([(2, 13), (3, 7)], 2.4),
        # (1*1 + 2*1 + 2*1) / 3 = 5 / 3 = 1.666... -> 1.7
        ([(1, 1), (2, 1), (2, 1)], 1.7),
        # (1*1 + 1*1 + 2*1) / 3 = 4 / 3 = 1.333... -> 1.3
        ([(1, 1), (1, 1), (2, 1)], 1.3),
        # (0*19 + 1*1) / 20 = 0.05 -> 0.1
        ([(0, 19), (1, 1)], 0.1),
    ],
)
def test_a_dimension_score_is_rounded_half_up_to_one_decimal_place(answers, expected):
    assert dimension_score(answers) == expected


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # levels 1 and 3: (1*1 + 3*1) / 2 = 2.0
        ((1, 1), 2.0),
        # (1*3 + 3*1) / (3+1) = 6 / 4 = 1.5
        ((3, 1), 1.5),
        # (1*1 + 3*3) / (1+3) = 10 / 4 = 2.5
        ((1, 3), 2.5),
    ],
)
def test_the_weights_change_a_dimension_score(weights, expected):
    assert dimension_score([(1, weights[0]), (3, weights[1])]) == expected


# overall_score


def test_the_overall_score_is_the_mean_of_the_scored_dimensions():
    """(3.0 + 2.0 + 1.0) / 3 = 2.0"""
    assert overall_score([3.0, 2.0, 1.0]) == 2.0


def test_dimensions_without_a_score_are_ignored_in_the_overall_score():
    """(3.0 + 2.0) / 2 = 2.5; counting None as 0 would give 5.0 / 3 = 1.7."""
    assert overall_score([3.0, 2.0, None]) == 2.5


def test_the_overall_score_is_rounded_to_one_decimal_place():
    """(1.0 + 1.0 + 2.0) / 3 = 1.333... -> 1.3"""
    assert overall_score([1.0, 1.0, 2.0]) == 1.3


def test_the_overall_score_of_two_dimensions_rounds_an_exact_half_up():
    """(2.3 + 2.4) / 2 = 2.35 -> 2.4, half up, as the module promises.

    In binary floating point 2.3 + 2.4 is a hair under 4.7, so a naive mean is
    2.3499999999999996 and rounds down to 2.3."""
    assert overall_score([2.3, 2.4]) == 2.4


def test_with_no_scored_dimensions_there_is_no_overall_score():
    assert overall_score([None, None, None]) is None


def test_with_no_dimensions_at_all_there_is_no_overall_score():
    assert overall_score([]) is None


# band


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, Band.RED),
        (1.9, Band.RED),
        (2.0, Band.AMBER),
        (2.9, Band.AMBER),
        (3.0, Band.GREEN),
        (4.0, Band.GREEN),
    ],
)
def test_a_score_falls_in_the_band_whose_threshold_it_reaches(score, expected):
    assert band(score) is expected


def test_no_score_has_no_band():
    assert band(None) is None


@pytest.mark.parametrize(
    ("value", "label"),
    [(Band.RED, "Weak"), (Band.AMBER, "Developing"), (Band.GREEN, "Strong")],
)
def test_each_band_has_a_plain_english_label(value, label):
    assert value.label == label


# partnership_dimension


def test_a_partnership_dimension_names_the_weakest_partner_and_gives_mean_and_spread():
    """{"A": 1.0, "B": 3.5}: weakest A at 1.0, mean (1.0 + 3.5) / 2 = 2.25 -> 2.3,
    spread 3.5 - 1.0 = 2.5."""
    assert partnership_dimension({"A": 1.0, "B": 3.5}) == PartnershipDimension(
        weakest="A", weakest_score=1.0, mean=2.3, spread=2.5, scored_partners=2
    )


def test_partners_without_a_score_are_ignored_in_a_partnership_dimension():
    """C is ignored: mean (2.0 + 4.0) / 2 = 3.0, spread 4.0 - 2.0 = 2.0, two scored.
    Counting C as 0 would make C the weakest."""
    assert partnership_dimension({"A": 2.0, "B": 4.0, "C": None}) == PartnershipDimension(
        weakest="A", weakest_score=2.0, mean=3.0, spread=2.0, scored_partners=2
    )


def test_a_tie_for_weakest_goes_to_the_first_name_in_alphabetical_order():
    summary = partnership_dimension({"Borough": 1.0, "Zeta": 3.0, "Abbey": 1.0})
    assert summary.weakest == "Abbey"
    assert summary.weakest_score == 1.0


def test_a_single_scored_partner_has_no_spread():
    """Strongest minus weakest: 2.7 - 2.7 = 0.0 (a number, not None)."""
    summary = partnership_dimension({"A": 2.7, "B": None})
    assert summary == PartnershipDimension(
        weakest="A", weakest_score=2.7, mean=2.7, spread=0.0, scored_partners=1
    )


def test_when_nobody_is_scored_a_partnership_dimension_has_nothing_to_show():
    assert partnership_dimension({"A": None, "B": None}) == PartnershipDimension(
        weakest=None, weakest_score=None, mean=None, spread=None, scored_partners=0
    )


def test_a_partnership_dimension_with_no_partners_has_nothing_to_show():
    assert partnership_dimension({}) == PartnershipDimension(None, None, None, None, 0)


def test_the_order_of_the_partners_does_not_change_a_partnership_dimension():
    scores = [("Zeta", 1.0), ("Abbey", 1.0), ("Borough", 3.2), ("Crest", None)]
    forwards = partnership_dimension(dict(scores))
    backwards = partnership_dimension(dict(reversed(scores)))
    assert forwards == backwards
    assert forwards.weakest == "Abbey"


def test_a_partnership_mean_of_two_partners_rounds_an_exact_half_up():
    """(2.3 + 2.4) / 2 = 2.35 -> 2.4, half up (the float mean is 2.3499999999999996)."""
    assert partnership_dimension({"A": 2.3, "B": 2.4}).mean == 2.4


def test_a_partnership_spread_is_rounded_to_one_decimal_place():
    """3.1 - 1.1 is 2.0000000000000004 in floating point; shown and judged as 2.0."""
    assert partnership_dimension({"A": 1.1, "B": 3.1}).spread == 2.0
