from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK-style messages that say what to do."""

    error_messages = {
        "invalid_login": (
            "Enter a correct username and password. Both are case-sensitive; "
            "ask your administrator if you have forgotten them"
        ),
        "inactive": "This account has been turned off. Ask your administrator to turn it on",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].strip = False
        self.fields["username"].widget = forms.TextInput()
