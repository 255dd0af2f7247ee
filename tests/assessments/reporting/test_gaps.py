"""Gap rules and the verdict: plain functions over plain facts, so no database is needed.

Every rule is tested just below and just above its boundary."""

from datetime import date

import pytest

from assessments.models import OwnerRole
from assessments.reporting.gaps import (
    Context,
    FrameworkFacts,
    Gap,
    Gate,
    PartnerFacts,
    Severity,
    Verdict,
    built_above_identity,
    dimensions_below_developing,
    dimensions_not_assessed,
    funding_formula_not_agreed,
    gated_statements_below_gate,
    members_without_submission,
    partners_diverge,
    partnership_gaps,
    stale_assessment,
    twelve_months_before,
    verdict,
)

TODAY = date(2026, 11, 26)

# The nine dimensions in framework order: code, name, usual owner.
DIMENSIONS = [
    ("business-scope", "Business scope", OwnerRole.EXECUTIVE),
    ("governance", "Governance", OwnerRole.EXECUTIVE),
    ("legal", "Legal issues", OwnerRole.LEGAL),
    ("information-sharing", "Information sharing", OwnerRole.INFORMATION_GOVERNANCE),
    ("identity-management", "Identity management", OwnerRole.ICT_MANAGER),
    ("federation", "Federation", OwnerRole.ICT_MANAGER),
    ("transactions", "Transactions, events and messages", OwnerRole.ICT_MANAGER),
    ("infrastructure", "Infrastructure", OwnerRole.ICT_MANAGER),
    ("sustainability", "Sustainability", OwnerRole.EXECUTIVE),
]
DIMENSION_CODES = [code for code, _, _ in DIMENSIONS]

STAFF_IDENTITY = "identity-management.staff-identity"
CITIZEN_IDENTITY = "identity-management.citizen-identity"
IDENTITY_FEDERATION = "identity-management.identity-federation"
FUNDING_FORMULA = "governance.funding-formula"

# The four gates of the real framework.
GATES = [
    Gate(
        STAFF_IDENTITY,
        "From the start, the partnership has planned how staff identities are managed.",
        "identity-management",
        2,
        OwnerRole.ICT_MANAGER,
    ),
    Gate(
        CITIZEN_IDENTITY,
        "Citizens and service users can prove who they are to an agreed level of assurance.",
        "identity-management",
        2,
        OwnerRole.ICT_MANAGER,
    ),
    Gate(
        IDENTITY_FEDERATION,
        "Staff and citizen identities are federated across the partners.",
        "identity-management",
        2,
        OwnerRole.ICT_MANAGER,
    ),
    Gate(
        FUNDING_FORMULA,
        "From day one, the partnership has a written funding formula.",
        "governance",
        3,
        OwnerRole.EXECUTIVE,
    ),
]
# Levels that meet every gate exactly.
AT_THE_GATES = {gate.question_code: gate.level for gate in GATES}


def framework_facts(gates=GATES) -> FrameworkFacts:
    return FrameworkFacts(
        dimension_names={code: name for code, name, _ in DIMENSIONS},
        dimension_owners={code: owner for code, _, owner in DIMENSIONS},
        gates=list(gates),
    )


def context(gates=GATES, funding_formula_version=1) -> Context:
    return Context(
        framework_facts(gates), today=TODAY, funding_formula_version=funding_formula_version
    )


def partner(
    name="Council A",
    status="submitted",
    submitted_on=date(2026, 10, 1),
    scores=None,
    levels=None,
    signed_funding=True,
) -> PartnerFacts:
    """A partner with no gaps of its own: every dimension at 3.0, every gate met,
    submitted recently and signed up to the funding formula. Override what a test
    is about; `scores` and `levels` are merged over the healthy defaults."""
    return PartnerFacts(
        name=name,
        status=status,
        submitted_on=submitted_on,
        dimension_scores={code: 3.0 for code in DIMENSION_CODES} | (scores or {}),
        levels=AT_THE_GATES | (levels or {}),
        signed_funding=signed_funding,
    )


def gap(severity: Severity, code="some-gap") -> Gap:
    return Gap(code, severity, None, OwnerRole.ICT_MANAGER, "Message.", "Action.")


def test_the_healthy_partner_used_by_these_tests_has_no_gaps_of_its_own():
    """Guards the other tests: each gap they find comes from what they changed."""
    healthy = partner()
    ctx = context()
    for rule in (
        gated_statements_below_gate,
        dimensions_not_assessed,
        dimensions_below_developing,
        built_above_identity,
        stale_assessment,
    ):
        assert rule(healthy, ctx) == []


# gated_statements_below_gate


def test_citizen_identity_below_its_gate_is_one_critical_gap_for_the_ict_manager():
    gaps = gated_statements_below_gate(partner(levels={CITIZEN_IDENTITY: 1}), context())
    assert len(gaps) == 1
    [found] = gaps
    assert found.code == "citizen-identity-below-gate"
    assert found.severity is Severity.CRITICAL
    assert found.dimension == "identity-management"
    assert found.owner == OwnerRole.ICT_MANAGER
    assert found.organisations == ("Council A",)
    assert found.message == (
        "Council A has not got citizen identity management in place (level 1, needs 2)."
    )


def test_citizen_identity_at_its_gate_is_not_a_gap():
    assert gated_statements_below_gate(partner(levels={CITIZEN_IDENTITY: 2}), context()) == []


def test_an_unanswered_gated_statement_is_not_a_gate_gap():
    """Unanswered is reported as a dimension not assessed, not as level 0."""
    assert gated_statements_below_gate(partner(levels={CITIZEN_IDENTITY: None}), context()) == []


def test_a_gated_statement_at_level_zero_is_below_its_gate():
    """0 is an answer ("not started"), unlike None."""
    gaps = gated_statements_below_gate(partner(levels={CITIZEN_IDENTITY: 0}), context())
    assert [g.code for g in gaps] == ["citizen-identity-below-gate"]


def test_staff_identity_below_its_gate_is_a_critical_gap():
    gaps = gated_statements_below_gate(partner(levels={STAFF_IDENTITY: 1}), context())
    assert [(g.code, g.severity, g.owner) for g in gaps] == [
        ("staff-identity-below-gate", Severity.CRITICAL, OwnerRole.ICT_MANAGER)
    ]
    assert "(level 1, needs 2)" in gaps[0].message


def test_staff_identity_at_its_gate_is_not_a_gap():
    assert gated_statements_below_gate(partner(levels={STAFF_IDENTITY: 2}), context()) == []


def test_identity_federation_below_its_gate_means_identities_are_not_federated():
    gaps = gated_statements_below_gate(partner(levels={IDENTITY_FEDERATION: 1}), context())
    assert [(g.code, g.severity, g.owner) for g in gaps] == [
        ("identity-not-federated", Severity.CRITICAL, OwnerRole.ICT_MANAGER)
    ]
    assert gaps[0].message.startswith("Council A's identities are not federated")


def test_identity_federation_at_its_gate_is_not_a_gap():
    assert gated_statements_below_gate(partner(levels={IDENTITY_FEDERATION: 2}), context()) == []


def test_a_funding_formula_below_its_gate_is_a_critical_gap_for_the_executive():
    """The funding-formula gate is level 3, so 2 ("developing") is not enough."""
    gaps = gated_statements_below_gate(partner(levels={FUNDING_FORMULA: 2}), context())
    assert [(g.code, g.severity, g.dimension, g.owner) for g in gaps] == [
        ("funding-formula-below-gate", Severity.CRITICAL, "governance", OwnerRole.EXECUTIVE)
    ]
    assert "(level 2, needs 3)" in gaps[0].message


def test_a_funding_formula_at_its_gate_is_not_a_gap():
    assert gated_statements_below_gate(partner(levels={FUNDING_FORMULA: 3}), context()) == []


def test_every_gated_statement_below_its_gate_is_its_own_gap():
    below = {STAFF_IDENTITY: 1, CITIZEN_IDENTITY: 0, IDENTITY_FEDERATION: 1, FUNDING_FORMULA: 2}
    gaps = gated_statements_below_gate(partner(levels=below), context())
    assert [g.code for g in gaps] == [
        "staff-identity-below-gate",
        "citizen-identity-below-gate",
        "identity-not-federated",
        "funding-formula-below-gate",
    ]


def test_a_gate_the_product_has_no_words_for_quotes_the_statement_and_the_levels():
    powers = Gate(
        "legal.legal-powers",
        "Each partner has confirmed in writing the legal powers it relies on.",
        "legal",
        3,
        OwnerRole.LEGAL,
    )
    ctx = context(gates=[*GATES, powers])
    gaps = gated_statements_below_gate(partner(levels={"legal.legal-powers": 1}), ctx)
    assert len(gaps) == 1
    [found] = gaps
    assert found.code == "below-gate"
    assert found.severity is Severity.CRITICAL
    assert found.dimension == "legal"
    assert found.owner == OwnerRole.LEGAL
    assert found.message == (
        "Council A is below the critical level on “Each partner has confirmed in writing the "
        "legal powers it relies on.” (level 1, needs 3)."
    )
    for stray in ("{", "}", "Gate(", "PartnerFacts(", "object at"):
        assert stray not in found.message
        assert stray not in found.action


def test_a_gate_the_product_has_no_words_for_is_not_a_gap_at_its_level():
    powers = Gate("legal.legal-powers", "Powers confirmed.", "legal", 3, OwnerRole.LEGAL)
    ctx = context(gates=[*GATES, powers])
    assert gated_statements_below_gate(partner(levels={"legal.legal-powers": 3}), ctx) == []


# dimensions_not_assessed


@pytest.mark.parametrize("status", ["submitted", "draft"])
def test_each_dimension_without_a_score_is_a_high_gap_for_a_partner_with_an_assessment(status):
    assessed = partner(status=status, scores={"legal": None, "sustainability": None})
    gaps = dimensions_not_assessed(assessed, context())
    assert [(g.code, g.severity, g.dimension) for g in gaps] == [
        ("dimension-not-assessed", Severity.HIGH, "legal"),
        ("dimension-not-assessed", Severity.HIGH, "sustainability"),
    ]
    assert gaps[0].message == "Council A has not assessed Legal issues."
    assert all(g.organisations == ("Council A",) for g in gaps)


def test_a_dimension_missing_from_the_scores_altogether_is_not_assessed():
    scores = {code: 3.0 for code in DIMENSION_CODES if code != "federation"}
    assessed = PartnerFacts("Council A", "submitted", date(2026, 10, 1), scores, AT_THE_GATES)
    gaps = dimensions_not_assessed(assessed, context())
    assert [g.dimension for g in gaps] == ["federation"]


def test_a_dimension_scored_zero_has_been_assessed():
    assert dimensions_not_assessed(partner(scores={"legal": 0.0}), context()) == []


def test_a_partner_that_has_not_started_has_no_dimension_gaps():
    """Reported once, as a member without a submission, not nine times."""
    not_started = PartnerFacts("Council A", "not_started")
    assert dimensions_not_assessed(not_started, context()) == []


# dimensions_below_developing


def test_a_dimension_scored_just_below_developing_is_a_high_gap():
    gaps = dimensions_below_developing(partner(scores={"legal": 1.9}), context())
    assert [(g.code, g.severity, g.dimension, g.owner) for g in gaps] == [
        ("dimension-below-developing", Severity.HIGH, "legal", OwnerRole.LEGAL)
    ]
    assert gaps[0].message == "Council A scores 1.9 on Legal issues, below “developing” (2)."


def test_a_dimension_scored_at_developing_is_not_a_gap():
    assert dimensions_below_developing(partner(scores={"legal": 2.0}), context()) == []


def test_a_dimension_without_a_score_is_not_below_developing():
    assert dimensions_below_developing(partner(scores={"legal": None}), context()) == []


# built_above_identity


@pytest.mark.parametrize("built_on", ["federation", "transactions"])
def test_scoring_above_identity_management_on_what_depends_on_it_is_a_high_gap(built_on):
    """2.1 > 2.0: the work is in the wrong order. The other dependant sits level at 2.0."""
    scores = {"identity-management": 2.0, "federation": 2.0, "transactions": 2.0, built_on: 2.1}
    gaps = built_above_identity(partner(scores=scores), context())
    assert [(g.code, g.severity, g.dimension, g.owner) for g in gaps] == [
        ("built-above-identity", Severity.HIGH, built_on, OwnerRole.ICT_MANAGER)
    ]
    assert "(2.1) above identity management (2.0)" in gaps[0].message


@pytest.mark.parametrize("built_on", ["federation", "transactions"])
def test_scoring_level_with_identity_management_is_not_a_gap(built_on):
    """2.0 = 2.0; the other dependant sits below identity, at 1.5."""
    scores = {"identity-management": 2.0, "federation": 1.5, "transactions": 1.5, built_on: 2.0}
    assert built_above_identity(partner(scores=scores), context()) == []


def test_federation_and_transactions_both_above_identity_are_two_gaps():
    scores = {"identity-management": 1.0, "federation": 1.5, "transactions": 3.0}
    gaps = built_above_identity(partner(scores=scores), context())
    assert [g.dimension for g in gaps] == ["federation", "transactions"]


def test_nothing_is_built_above_identity_management_that_has_no_score():
    scores = {"identity-management": None, "federation": 4.0, "transactions": 4.0}
    assert built_above_identity(partner(scores=scores), context()) == []


# stale_assessment


def test_an_assessment_submitted_more_than_twelve_months_ago_is_stale():
    """Today 26 November 2026; twelve months before is 26 November 2025."""
    old = partner(submitted_on=date(2025, 11, 25))
    gaps = stale_assessment(old, context())
    assert [(g.code, g.severity, g.dimension) for g in gaps] == [
        ("stale-assessment", Severity.WARNING, None)
    ]
    assert gaps[0].message == (
        "Council A's assessment was submitted on 25 November 2025, more than 12 months ago."
    )


def test_an_assessment_submitted_exactly_twelve_months_ago_is_not_stale():
    assert stale_assessment(partner(submitted_on=date(2025, 11, 26)), context()) == []


def test_an_assessment_never_submitted_is_not_stale():
    assert stale_assessment(partner(status="draft", submitted_on=None), context()) == []


def test_twelve_months_before_an_ordinary_day_is_the_same_day_last_year():
    assert twelve_months_before(date(2026, 11, 26)) == date(2025, 11, 26)


def test_twelve_months_before_29_february_is_28_february():
    assert twelve_months_before(date(2028, 2, 29)) == date(2027, 2, 28)


# funding_formula_not_agreed


def test_with_no_funding_formula_recorded_is_a_critical_gap_naming_every_partner():
    partners = [partner("Council A"), partner("Council B"), partner("Council C")]
    gaps = funding_formula_not_agreed(partners, context(funding_formula_version=None))
    assert len(gaps) == 1
    [found] = gaps
    assert (found.code, found.severity, found.dimension, found.owner) == (
        "funding-formula-not-agreed",
        Severity.CRITICAL,
        "governance",
        OwnerRole.EXECUTIVE,
    )
    assert found.organisations == ("Council A", "Council B", "Council C")


def test_a_funding_formula_every_partner_signed_is_not_a_gap():
    partners = [partner("Council A"), partner("Council B"), partner("Council C")]
    assert funding_formula_not_agreed(partners, context(funding_formula_version=1)) == []


def test_a_funding_formula_one_partner_has_not_signed_is_a_critical_gap_naming_it():
    partners = [
        partner("Council A"),
        partner("Council B", signed_funding=False),
        partner("Council C"),
    ]
    gaps = funding_formula_not_agreed(partners, context(funding_formula_version=2))
    assert len(gaps) == 1
    [found] = gaps
    assert found.severity is Severity.CRITICAL
    assert found.owner == OwnerRole.EXECUTIVE
    assert found.organisations == ("Council B",)
    assert "1 of 3" in found.message
    assert found.message == (
        "The funding formula (version 2) is not signed by 1 of 3 members: Council B."
    )


# members_without_submission


def test_members_who_have_not_submitted_are_one_high_gap_naming_them_all():
    partners = [
        partner("Council A"),
        partner("Council B", status="draft", submitted_on=None),
        PartnerFacts("Council C", "not_started"),
    ]
    gaps = members_without_submission(partners, context())
    assert len(gaps) == 1
    [found] = gaps
    assert (found.code, found.severity, found.owner) == (
        "member-not-submitted",
        Severity.HIGH,
        OwnerRole.ICT_MANAGER,
    )
    assert found.organisations == ("Council B", "Council C")
    assert "2 of 3 members" in found.message


def test_when_every_member_has_submitted_there_is_no_gap():
    partners = [partner("Council A"), partner("Council B")]
    assert members_without_submission(partners, context()) == []


# partners_diverge


def test_partners_two_levels_apart_on_a_dimension_is_a_warning_naming_both_ends():
    """3.0 - 1.0 = 2.0, the divergence threshold."""
    partners = [
        partner("Council A", scores={"legal": 1.0}),
        partner("Council B", scores={"legal": 2.0}),
        partner("Council C", scores={"legal": 3.0}),
    ]
    gaps = partners_diverge(partners, context())
    assert [(g.code, g.severity, g.dimension, g.owner) for g in gaps] == [
        ("partners-diverge", Severity.WARNING, "legal", OwnerRole.LEGAL)
    ]
    assert gaps[0].organisations == ("Council A", "Council C")
    assert gaps[0].message == (
        "Partners differ by 2.0 levels on Legal issues: Council A is weakest, Council C strongest."
    )


def test_partners_just_under_two_levels_apart_do_not_diverge():
    """3.0 - 1.1 = 1.9"""
    partners = [
        partner("Council A", scores={"legal": 1.1}),
        partner("Council B", scores={"legal": 3.0}),
    ]
    assert partners_diverge(partners, context()) == []


@pytest.mark.parametrize(("low", "high"), [(1.1, 3.1), (0.3, 2.3)])
def test_a_spread_of_two_levels_diverges_whatever_the_floating_point_error(low, high):
    """3.1 - 1.1 = 2.0000000000000004 and 2.3 - 0.3 = 1.9999999999999998 in floating
    point: both are a spread of 2.0."""
    partners = [
        partner("Council A", scores={"legal": low}),
        partner("Council B", scores={"legal": high}),
    ]
    assert [g.dimension for g in partners_diverge(partners, context())] == ["legal"]


def test_only_submitted_partners_count_towards_divergence():
    """The draft's 0.0 would make a spread of 3.0 - 0.0 = 3.0; without it, 3.0 - 2.0 = 1.0."""
    partners = [
        partner("Council A", scores={"legal": 2.0}),
        partner("Council B", scores={"legal": 3.0}),
        partner("Council C", status="draft", submitted_on=None, scores={"legal": 0.0}),
    ]
    assert partners_diverge(partners, context()) == []


def test_partners_without_a_score_on_a_dimension_do_not_count_towards_divergence():
    partners = [
        partner("Council A", scores={"legal": None}),
        partner("Council B", scores={"legal": 3.0}),
    ]
    assert partners_diverge(partners, context()) == []


# partnership_gaps


def test_partnership_gaps_leave_out_drafts_own_gaps_and_sort_critical_first_then_by_dimension():
    """Council A (submitted) is stale, has not federated identities, scores 1.0 on
    business scope and 1.5 on sustainability, and has not signed the funding formula.
    Council B (submitted) is healthy. Council C (draft) is below every gate and
    scores 0.0 everywhere, but drafts may still change, so only the partnership rules
    see it: as an unsigned and unsubmitted member."""
    council_a = partner(
        "Council A",
        submitted_on=date(2025, 1, 1),
        scores={"business-scope": 1.0, "sustainability": 1.5},
        levels={IDENTITY_FEDERATION: 1},
        signed_funding=False,
    )
    council_b = partner("Council B")
    council_c = partner(
        "Council C",
        status="draft",
        submitted_on=None,
        scores={code: 0.0 for code in DIMENSION_CODES},
        levels={STAFF_IDENTITY: 0, CITIZEN_IDENTITY: 0, IDENTITY_FEDERATION: 0},
        signed_funding=False,
    )
    gaps = partnership_gaps([council_a, council_b, council_c], context())
    assert [(g.severity, g.dimension, g.code, g.organisations) for g in gaps] == [
        (
            Severity.CRITICAL,
            "governance",
            "funding-formula-not-agreed",
            ("Council A", "Council C"),
        ),
        (Severity.CRITICAL, "identity-management", "identity-not-federated", ("Council A",)),
        (Severity.HIGH, "business-scope", "dimension-below-developing", ("Council A",)),
        (Severity.HIGH, "sustainability", "dimension-below-developing", ("Council A",)),
        (Severity.HIGH, None, "member-not-submitted", ("Council C",)),
        # 3.0 - 1.0 = 2.0 between the submitted partners; C's 0.0 does not count.
        (Severity.WARNING, "business-scope", "partners-diverge", ("Council A", "Council B")),
        (Severity.WARNING, None, "stale-assessment", ("Council A",)),
    ]


def test_partnership_gaps_are_empty_when_every_submitted_partner_is_healthy():
    partners = [partner("Council A"), partner("Council B")]
    assert partnership_gaps(partners, context()) == []


# verdict


def test_any_critical_gap_means_not_ready_whatever_the_averages():
    assert verdict([gap(Severity.CRITICAL)], overall=4.0) is Verdict.NOT_READY


def test_a_critical_gap_among_lesser_ones_still_means_not_ready():
    gaps = [gap(Severity.WARNING), gap(Severity.HIGH), gap(Severity.CRITICAL)]
    assert verdict(gaps, overall=3.5) is Verdict.NOT_READY


def test_a_high_gap_but_no_critical_one_means_ready_with_conditions():
    assert verdict([gap(Severity.HIGH)], overall=4.0) is Verdict.CONDITIONAL


def test_no_gaps_and_an_established_overall_score_means_ready():
    assert verdict([], overall=3.0) is Verdict.READY


def test_only_warnings_and_an_established_overall_score_means_ready():
    assert verdict([gap(Severity.WARNING)], overall=3.0) is Verdict.READY


def test_no_gaps_but_an_overall_score_just_below_established_means_ready_with_conditions():
    assert verdict([], overall=2.9) is Verdict.CONDITIONAL


def test_no_gaps_and_no_overall_score_means_ready_with_conditions():
    assert verdict([], overall=None) is Verdict.CONDITIONAL


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (Verdict.NOT_READY, "Not ready"),
        (Verdict.CONDITIONAL, "Ready with conditions"),
        (Verdict.READY, "Ready"),
    ],
)
def test_each_verdict_has_a_plain_english_label(value, label):
    assert value.label == label


# Gap.owner_label


@pytest.mark.parametrize(
    ("owner", "label"),
    [
        ("executive", "Chief executive and finance director"),
        ("ict_manager", "ICT manager (CIO)"),
    ],
)
def test_a_gap_names_its_owner_in_words(owner, label):
    found = Gap("some-gap", Severity.HIGH, None, owner, "Message.", "Action.")
    assert found.owner_label == label
