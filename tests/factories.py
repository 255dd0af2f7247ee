"""Factories for the domain. The framework itself is loaded from the real file (see
the `framework` fixture), so tests score against the statements users see."""

import factory
from django.utils import timezone

from assessments.models import Answer, Assessment, AssessmentStatus, Round
from partnerships.models import (
    FundingFormula,
    FundingSignOff,
    Membership,
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
    User,
)

TEST_PASSWORD = "correct-horse-battery-staple-test"  # noqa: S105 - tests only


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Council {n}")
    kind = OrganisationKind.UNITARY
    gss_code = factory.Sequence(lambda n: f"E06{n:06d}")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    partnership = factory.SubFactory(PartnershipFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ICT_MANAGER
    password = factory.django.Password(TEST_PASSWORD)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Round {n}")


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    round = factory.SubFactory(RoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = AssessmentStatus.DRAFT

    class Params:
        submitted = factory.Trait(
            status=AssessmentStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    assessment = factory.SubFactory(AssessmentFactory)
    level = 2


class FundingFormulaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingFormula

    partnership = factory.SubFactory(PartnershipFactory)
    version = 1
    text = "Costs shared by population served."


class FundingSignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingSignOff

    formula = factory.SubFactory(FundingFormulaFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    signed_by = factory.SubFactory(UserFactory, role=Role.EXECUTIVE)
    signer_name = "Test Executive"
    signer_role = "Chief Executive"
