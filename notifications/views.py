"""Your notifications: what is emailed to you, and turning reminders off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import PreferenceForm
from .models import Notification, Preference
from .services import set_reminders

RECENT = 20


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = Preference.objects.filter(user=request.user).first()
    reminders = current.reminders if current else True
    form = PreferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"reminders": "yes" if reminders else "no"},
    )
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["reminders"]
        set_reminders(user=request.user, reminders=on)
        messages.success(
            request, "You will get reminders." if on else "You will not get reminders."
        )
        return redirect("notifications:preferences")
    recent = Notification.objects.filter(recipient=request.user, sent_at__isnull=False)[:RECENT]
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "recent": recent, "email": request.user.email},
        status=400 if form.errors else 200,
    )
