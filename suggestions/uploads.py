"""What an uploaded file really is (issue 12, finding 8): the content is sniffed, not the name trusted.

`filetype` (pure Python, no libmagic to install on an intranet server) reads the magic numbers of
PDF, images, the OLE2 (.doc/.xls/.ppt) and zipped (.docx/.xlsx/.pptx/.odt) office formats. Formats it
cannot recognise are checked here: OFD and OOXML/ODF are zip files whose directory must hold the
format's marker member; .txt must be text (UTF-8 or GB18030, no NUL byte) and must not be markup a
browser would render (HTML, SVG, XML). A file whose content does not match its extension is refused.
The stored content type is the one the content proved, never the one the client declared.
"""

from __future__ import annotations

import re
import zipfile

import filetype

SNIFF_BYTES = 8192
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension → (content type to store, how to check it)
KINDS: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "magic"),
    ".jpg": ("image/jpeg", "magic"),
    ".jpeg": ("image/jpeg", "magic"),
    ".png": ("image/png", "magic"),
    ".gif": ("image/gif", "magic"),
    ".webp": ("image/webp", "magic"),
    ".doc": ("application/msword", "ole2"),
    ".xls": ("application/vnd.ms-excel", "ole2"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole2"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip:[Content_Types].xml"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip:[Content_Types].xml"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "zip:[Content_Types].xml"),
    ".odt": ("application/vnd.oasis.opendocument.text", "zip:mimetype"),
    ".ofd": ("application/ofd", "zip:OFD.xml"),
    ".txt": ("text/plain", "text"),
}

MARKUP = re.compile(rb"<\s*(!doctype|html|svg|script|\?xml|iframe|body|head|object|embed)\b", re.IGNORECASE)
ZIP_TYPES = {"application/zip"}


def extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def _zip_has(upload, member: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return member in names or any(n.rsplit("/", 1)[-1] == member for n in names)


def _is_text(upload) -> bool:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if isinstance(data, str):
        data = data.encode()
    if b"\x00" in data or MARKUP.search(data[:65536]):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(upload) -> str | None:
    """The content type this upload's content proves for its extension, or None if it does not match."""
    kind = KINDS.get(extension(getattr(upload, "name", "") or ""))
    if kind is None:
        return None
    content_type, check = kind
    head = _read_head(upload)
    guessed = filetype.guess_mime(head)
    if check == "magic":
        return content_type if guessed == content_type else None
    if check == "ole2":
        return content_type if head.startswith(OLE2_MAGIC) else None
    if check.startswith("zip:"):
        if guessed not in (content_type, *ZIP_TYPES) and not head.startswith(b"PK\x03\x04"):
            return None
        if guessed is not None and guessed != content_type and guessed not in ZIP_TYPES:
            return None  # a zip proven to be another office format
        return content_type if _zip_has(upload, check[4:]) else None
    if check == "text":
        return content_type if guessed is None and _is_text(upload) else None
    return None
