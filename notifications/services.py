"""The one write a person makes here: their choice about reminders."""

from django.db import transaction

from .models import Preference


@transaction.atomic
def set_reminders(*, user, reminders: bool) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"reminders": reminders}
    )
    return preference
