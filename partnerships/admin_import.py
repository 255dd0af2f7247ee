"""Admin pages to import organisations from a CSV file and export them all.

Import is two steps: upload (every row is checked; problems are listed and nothing
changes) then a preview of what will be created and updated, with a button to confirm.
Between the two, the uploaded bytes wait on the server under a random token that is
also kept in the administrator's session; the page only carries the token. On confirm
the file is checked again against the organisations as they are then, and imported in
one transaction.
"""

import os
import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from common.audit import security_event_for
from common.downloads import attachment
from common.forms import GovukForm

from .models import Organisation
from .organisation_csv.columns import KIND_CHOICES
from .organisation_csv.export import export_csv
from .organisation_csv.planning import check, import_csv
from .organisation_csv.problems import ImportRefused, Problem
from .organisation_csv.reading import HEADER, MAX_BYTES, MAX_ROWS, size_problem

SESSION_KEY = "organisation_import"
TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_SECONDS = 24 * 60 * 60  # uploads never confirmed are removed after a day
EXPIRED = (
    "This preview has expired or its import has already been done, so nothing was "
    "imported. Upload the file again"
)
EXAMPLE_FILE = "data/organisations-ons-2021.csv"
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)


def import_dir() -> Path:
    """Where uploads wait between preview and confirm (git-ignored var/ by default)."""
    return Path(getattr(settings, "ORGANISATION_IMPORT_DIR", settings.VAR_DIR / "imports"))


class OrganisationUploadForm(GovukForm):
    file = forms.FileField(
        label="CSV file",
        # An empty file gets organisation_csv's message, which says what to upload.
        allow_empty_file=True,
        help_text=(
            f"A CSV file of up to {MAX_BYTES // (1024 * 1024)} MB and "
            f"{MAX_ROWS:,} organisations, with the header row {HEADER}."
        ),
        error_messages={
            "required": "Choose a CSV file to upload",
            "invalid": "Choose a CSV file to upload",
            "missing": "Choose a CSV file to upload",
        },
    )


class OrganisationImportExportMixin:
    """Adds import and export pages to the organisation admin. Import needs the add and
    change permissions for organisations; export needs the view permission (it shows
    what the list of organisations shows)."""

    change_list_template = "admin/partnerships/organisation/change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/confirm/",
                view(self.import_confirm_view),
                name="{}_{}_import_confirm".format(*info),
            ),
            path("export/", view(self.export_view), name="{}_{}_export".format(*info)),
        ] + super().get_urls()

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_organisations": self.has_import_permission(request),
            "can_export_organisations": self.has_view_permission(request),
        }
        return super().changelist_view(request, extra_context)

    # Pages

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        problems = []
        if request.method == "POST":
            form = OrganisationUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                too_big = size_problem(upload.size)
                if too_big:
                    problems = [too_big]
                else:
                    raw = upload.read()
                    try:
                        plan = check(raw)
                    except ImportRefused as refusal:
                        problems = refusal.problems
                    else:
                        token = self._keep_upload(request, raw, upload.name)
                        return self._render(
                            request,
                            "admin/partnerships/organisation/import_preview.html",
                            {
                                "title": "Check the import before confirming it",
                                "plan": plan,
                                "token": token,
                                "file_name": upload.name,
                                "nothing_to_do": not (plan.creates or plan.updates),
                            },
                        )
        else:
            form = OrganisationUploadForm()
        return self._upload_page(request, form, problems)

    def import_confirm_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._url("import"))
        token = request.POST.get("token", "")
        kept = request.session.get(SESSION_KEY) or {}
        expected = kept.get("token", "")
        if not (TOKEN.fullmatch(token) and expected and secrets.compare_digest(token, expected)):
            return self._upload_page(request, problems=[Problem(EXPIRED)])
        stored = import_dir() / f"{token}.csv"
        try:
            raw = stored.read_bytes()
        except FileNotFoundError:
            return self._upload_page(request, problems=[Problem(EXPIRED)])
        # Checked again: organisations may have changed since the preview.
        try:
            result = import_csv(raw)
        except ImportRefused as refusal:
            return self._upload_page(request, problems=refusal.problems)
        finally:
            stored.unlink(missing_ok=True)
            request.session.pop(SESSION_KEY, None)
        security_event_for(
            "organisations_imported",
            user=request.user,
            detail=f"{result.created} created, {result.updated} updated",
        )
        self.message_user(
            request,
            f"Imported {kept.get('name') or 'the file'}: {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._url("changelist"))

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = export_csv(Organisation.objects.order_by("name", "gss_code", "pk"))
        return attachment(request, data, "text/csv; charset=utf-8", "organisations.csv")

    # Helpers

    def _url(self, page: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{page}",
            current_app=self.admin_site.name,
        )

    def _render(self, request, template: str, context: dict):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "has_view_permission": self.has_view_permission(request),
                **context,
            },
        )

    def _upload_page(self, request, form=None, problems=()):
        return self._render(
            request,
            "admin/partnerships/organisation/import.html",
            {
                "title": "Import organisations from CSV",
                "form": form or OrganisationUploadForm(),
                "problems": list(problems),
                "columns": HEADER,
                "kinds": KIND_CHOICES,
                "max_rows": MAX_ROWS,
                "max_mb": MAX_BYTES // (1024 * 1024),
                "example_file": EXAMPLE_FILE,
                "attribution": OGL_ATTRIBUTION,
            },
        )

    def _keep_upload(self, request, raw: bytes, name: str) -> str:
        """Store the upload under a new random token, remembered in the session; removes
        this administrator's previous upload and any upload older than a day."""
        folder = import_dir()
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - KEEP_SECONDS
        for old in folder.glob("*.csv"):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
            except FileNotFoundError:
                pass
        previous = (request.session.get(SESSION_KEY) or {}).get("token", "")
        if TOKEN.fullmatch(previous):
            (folder / f"{previous}.csv").unlink(missing_ok=True)
        token = secrets.token_hex(16)
        descriptor = os.open(folder / f"{token}.csv", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stored:
            stored.write(raw)
        request.session[SESSION_KEY] = {"token": token, "name": Path(name or "").name[:200]}
        return token
