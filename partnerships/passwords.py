"""Password rules: long passwords, no composition rules (NCSC guidance), and no
passwords that attackers try first."""

import re

from django.core.exceptions import ValidationError

# Words and runs that appear again and again in breached-password lists, beyond
# Django's list of 20,000 common passwords.
PREDICTABLE = (
    "password",
    "passw0rd",
    "qwerty",
    "letmein",
    "welcome",
    "iloveyou",
    "admin",
    "123456",
    "abcdef",
    "654321",
    "readiness",
    "partnership",
)


class PredictablePasswordValidator:
    """Refuses passwords built around a predictable word or run, or one character
    repeated, such as "Password12345" or "aaaaaaaaaaaa"."""

    def validate(self, password, user=None):
        lowered = password.lower()
        if any(word in lowered for word in PREDICTABLE) or re.fullmatch(r"(.)\1*", password):
            raise ValidationError(
                "This password is too easy to guess. Avoid words like password or the "
                "name of this service, runs like 123456, and repeated characters. A few "
                "unrelated words together make a strong password",
                code="password_predictable",
            )

    def get_help_text(self):
        return "Your password cannot be built around a predictable word such as password."
