"""Every file a person downloads (report PDFs, CSV and JSON exports) goes out through
`attachment`, which never lets it be cached and tells the security log who took what."""

from django.http import HttpResponse

from .audit import security_event_for

PDF = "report_downloaded"
EXPORT = "export_downloaded"


def attachment(
    request, content: bytes | str, content_type: str, filename: str, *, kind: str = EXPORT
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    security_event_for(kind, user=request.user, detail=f"Downloaded {filename}"[:300])
    return response
