"""Uploaded files as they arrive: written to a temporary file up to UPLOAD_LIMITS.upload_bytes, the
rest only counted, so that an upload far over the limit costs no disk and is refused with its real
size before anything is stored (actions._receive)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class BoundedUpload(TemporaryFileUploadHandler):
    """Django's temporary-file handler, keeping at most the upload limit of each file."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.kept = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.kept + len(raw_data) <= settings.UPLOAD_LIMITS.upload_bytes:
            self.file.write(raw_data)
            self.kept += len(raw_data)
        else:  # over the limit: counted by the parser (the file's size), never written
            self.kept = settings.UPLOAD_LIMITS.upload_bytes + 1
