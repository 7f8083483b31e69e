"""Scans attached at the counter, stored with Django's storage on the components a command just created.

The commands take component metadata (name, file name, "digitised") and write the component rows and the
event; the bytes go to storage here, in the same transaction as the command, right after it: if storing a
file fails, the whole reception is rolled back and the officer sees why. A file already written to storage
by a rolled-back attempt is harmless (nothing points to it).
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier, DossierComponent

ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
# The first bytes each allowed type starts with: the extension alone proves nothing.
MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def upload_error(upload) -> str | None:
    """A Vietnamese reason why this upload cannot be a scan, or None."""
    suffix = PurePath(upload.name or "").suffix.lower()
    expected = ALLOWED_TYPES.get(suffix)
    if expected is None:
        return _("Tệp “%(name)s”: chỉ nhận bản quét PDF, JPG hoặc PNG.") % {"name": upload.name}
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in MAGIC[expected]):
        return _("Tệp “%(name)s” không phải tệp %(kind)s hợp lệ.") % {
            "name": upload.name,
            "kind": suffix.lstrip(".").upper(),
        }
    return None


def new_components_after(dossier: Dossier, last_id: int) -> list[DossierComponent]:
    """Components the command created (ids above ``last_id``), in the order it was given them."""
    return list(dossier.components.filter(pk__gt=last_id).order_by("pk"))


def last_component_id(dossier: Dossier) -> int:
    return dossier.components.order_by("-pk").values_list("pk", flat=True).first() or 0


def store(components: list[DossierComponent], uploads: Mapping[int, Any]) -> None:
    """Save ``uploads`` (position in ``components`` → uploaded file) on those rows."""
    for position, upload in uploads.items():
        component = components[position]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        name = PurePath(upload.name).name[-200:]
        component.file.save(name, upload, save=False)
        component.file_name = name
        component.file_sha256 = digest.hexdigest()
        component.digitised = True
        component.save(update_fields=["file", "file_name", "file_sha256", "digitised"])


def content_type(component: DossierComponent) -> str:
    guessed, _encoding = mimetypes.guess_type(component.file_name or component.file.name or "")
    return guessed or "application/octet-stream"
