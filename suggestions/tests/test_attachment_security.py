"""Issue 12, findings 2 and 8: uploaded files are served only through the visibility rule, under
names nobody can guess, as downloads the browser may not sniff; and their content is checked."""

from __future__ import annotations

import importlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve

from suggestions import services
from suggestions.models import Attachment
from testing.factories import draft, suggestion_in_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def docx_bytes(marker: str = "[Content_Types].xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(marker, "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def with_file(cast):
    suggestion = draft(cast)
    services.suggestion_attach(suggestion=suggestion, actor=cast.alice, files=[upload("现场照片 南冲.pdf", PDF)])
    return suggestion, suggestion.attachments.get()


# --- finding 2: serving ------------------------------------------------------------------------


def test_no_media_url_even_in_debug(settings, with_file):
    _suggestion, attachment = with_file
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve(f"/media/{attachment.file.name}")
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_stored_names_are_random_and_the_original_name_is_kept(cast, with_file):
    suggestion, attachment = with_file
    assert attachment.name == "现场照片 南冲.pdf"
    stored = attachment.file.name
    assert "现场照片" not in stored and ".pdf" not in stored and f"/{suggestion.pk}/" not in stored
    second = services.suggestion_attach(
        suggestion=suggestion, actor=cast.alice, files=[upload("现场照片 南冲.pdf", PDF)]
    )
    assert second[0].file.name != stored  # the same name twice gives two unrelated paths


def test_the_download_is_for_participants_only(client, cast, with_file):
    _suggestion, attachment = with_file
    url = f"/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page, never the bytes
    client.force_login(cast.carol)  # a deputy with nothing to do with the draft
    assert client.get(url).status_code == 404
    client.force_login(cast.alice)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]


def test_behind_nginx_the_view_answers_with_x_accel_redirect(client, cast, settings, with_file):
    _suggestion, attachment = with_file
    settings.PROTECTED_MEDIA_X_ACCEL = "/protected/"
    client.force_login(cast.alice)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{attachment.file.name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    client.force_login(cast.carol)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404


def test_a_stored_type_that_is_not_allowed_goes_out_as_octet_stream(client, cast, with_file):
    _suggestion, attachment = with_file
    # A row written before content checking, with the type the client declared.
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    client.force_login(cast.alice)
    assert client.get(f"/attachments/{attachment.pk}/")["Content-Type"] == "application/octet-stream"


def test_the_public_page_has_no_attachment_link(client, cast):
    suggestion = suggestion_in_state("replied", cast=cast, public=True)
    Attachment.objects.create(
        suggestion=suggestion, file=upload("附件.pdf", PDF), name="附件.pdf", size=len(PDF),
        content_type="application/pdf", uploaded_by=cast.alice,
    )  # fmt: skip
    attachment = suggestion.attachments.get()
    page = client.get(f"/public/{suggestion.pk}/")
    assert page.status_code == 200
    assert f"/attachments/{attachment.pk}/" not in page.content.decode()
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 302


# --- finding 8: content checking ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", HTML),  # HTML named as a PDF
        ("photo.png", SVG),  # SVG named as a PNG
        ("photo.jpg", PNG),  # a PNG is not a JPEG
        ("notes.txt", HTML),  # markup is not plain text
        ("notes.txt", SVG),
        ("plan.docx", PDF),
        ("plan.docx", docx_bytes(marker="evil.html")),  # a zip, but not an office document
        ("sheet.xls", PDF),
        ("scan.ofd", docx_bytes()),
    ],
)
def test_the_api_refuses_content_that_does_not_match_the_name(cast, api, name, data):
    suggestion = draft(cast)
    response = api(cast.alice).post(
        f"/api/v1/suggestions/{suggestion.pk}/attachments/",
        {"file": [upload(name, data, content_type="application/pdf")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert not suggestion.attachments.exists()


@pytest.mark.parametrize(
    ("name", "data", "stored_type"),
    [
        ("plan.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("notes.txt", "南冲电排站 汛期排涝".encode("gb18030"), "text/plain"),
        ("notes.txt", "南冲电排站".encode(), "text/plain"),
        ("plan.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "application/msword"),
    ],
)
def test_the_sniffed_type_is_stored_not_the_declared_one(cast, api, name, data, stored_type):
    suggestion = draft(cast)
    response = api(cast.alice).post(
        f"/api/v1/suggestions/{suggestion.pk}/attachments/",
        {"file": [upload(name, data, content_type="text/html")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == stored_type
    assert suggestion.attachments.get().content_type == stored_type


def test_the_web_form_refuses_a_disguised_file_at_its_field(client, cast):
    client.force_login(cast.alice)
    response = client.post(
        "/suggestions/new/",
        {
            "title": "关于附件的建议",
            "body": "正文",
            "session": cast.session.pk,
            "category": cast.category.pk,
            "attachments": [upload("report.pdf", HTML, "application/pdf")],
        },
    )
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Attachment.objects.exists()


def test_a_reply_attachment_is_checked_too(cast):
    from common.errors import ActionInvalid

    suggestion = draft(cast)
    with pytest.raises(ActionInvalid) as refused:
        services.attachments_add(
            suggestion=suggestion, actor=cast.alice, files=[upload("r.pdf", SVG)], field="attachments"
        )
    assert "attachments" in refused.value.errors
