"""Frameworks are versions that rounds keep: an administrator loads a new one from a file."""

import time

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


def test_a_billion_laughs_upload_is_refused_with_a_short_page(client, administrator, framework):
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 9)}]")
    bomb = DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8") + "\nnotes:\n"
    bomb += "".join(f"  {line}\n" for line in lines)
    client.force_login(administrator)
    started = time.monotonic()
    response = client.post(
        reverse("admin:assessments_framework_load"),
        {"file": SimpleUploadedFile("laughs.yaml", bomb.encode())},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert "The file was not loaded" in response.text
    assert "laughs.yaml uses YAML anchors or aliases (&amp; or *)" in response.text
    assert "Write each value out in full, then load the file again." in response.text
    assert len(response.content) < 50_000
    assert Framework.objects.count() == 1


def test_a_huge_value_in_an_upload_is_cut_short_on_the_page(client, administrator, framework):
    statement = "x" * 100_000
    text = DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8").replace(
        "owner: executive", f"owner: {statement}", 1
    )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:assessments_framework_load"),
        {"file": SimpleUploadedFile("huge.yaml", text.encode())},
    )
    assert response.status_code == 200
    assert f"has owner &#x27;{'x' * 78}\u2026; use one of" in response.text
    assert len(response.content) < 50_000
    assert Framework.objects.count() == 1
