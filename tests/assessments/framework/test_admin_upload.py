"""Frameworks are versions that rounds keep: an administrator loads a new one from a file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.framework.loader import DEFAULT_FRAMEWORK_FILE
from assessments.models import Framework

pytestmark = pytest.mark.django_db


def test_an_administrator_loads_a_new_framework_version_from_a_file(
    client, administrator, framework
):
    client.force_login(administrator)
    url = reverse("admin:assessments_framework_load")
    changed = (
        DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8").replace(
            "name: Partnership readiness framework", "name: Partnership readiness framework", 1
        )
        + "\n# a comment changes nothing\n"
    )
    same = client.post(url, {"file": SimpleUploadedFile("same.yaml", changed.encode())})
    assert same.status_code == 302
    assert Framework.objects.count() == 1
    edited = changed.replace(
        "The partnership has a written scoping statement",
        "The partnership has an agreed scoping statement",
    )
    client.post(url, {"file": SimpleUploadedFile("edited.yaml", edited.encode())})
    assert list(Framework.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    listing = client.get(reverse("admin:assessments_framework_changelist"))
    assert "Rounds using it" in listing.text


def test_a_broken_framework_file_is_refused_with_its_problems(client, administrator, framework):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:assessments_framework_load"),
        {"file": SimpleUploadedFile("broken.yaml", b"name: x\ndimensions: []\n")},
    )
    assert response.status_code == 200
    assert "List exactly 9 &#x27;dimensions&#x27; (found 0)" in response.text
    binary = client.post(
        reverse("admin:assessments_framework_load"),
        {"file": SimpleUploadedFile("binary.yaml", bytes(range(256)) * 10)},
    )
    assert binary.status_code == 200
    assert Framework.objects.count() == 1
