"""The maturity levels and the roles that own statements and gaps: plain choices,
shared by the models and by the pure scoring and gap rules (which import no models).
"""

from django.db import models

MIN_LEVEL = 0
MAX_LEVEL = 4


class Level(models.IntegerChoices):
    NOT_STARTED = 0, "Not started"
    INITIAL = 1, "Initial"
    DEVELOPING = 2, "Developing"
    ESTABLISHED = 3, "Established"
    EMBEDDED = 4, "Embedded"


class OwnerRole(models.TextChoices):
    """Who in a partner organisation acts on a statement or owns a gap."""

    EXECUTIVE = "executive", "Chief executive and finance director"
    ICT_MANAGER = "ict_manager", "ICT manager (CIO)"
    LEGAL = "legal", "Monitoring officer and legal services"
    INFORMATION_GOVERNANCE = "information_governance", "Senior information risk owner"
