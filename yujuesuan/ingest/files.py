"""What a file is taken for by its name, before any byte is read (light: the CLI asks before it imports
the extractors)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# files picked up when walking a folder by their name; others (no extension, .bin, .tmp …) are
# taken when their bytes are a document's (a raw store's files are named by their sha256)
DOCUMENT_SUFFIXES = {
    ".pdf",
    ".xls",
    ".xlsx",
    ".doc",
    ".docx",
    ".html",
    ".htm",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}  # page images: read by OCR


def named_image(name: str | os.PathLike[str]) -> bool:
    """Whether a file's name is a page image's (read by OCR)."""
    return Path(name).suffix.lower() in IMAGE_SUFFIXES


def images_named(paths: Iterable[str | os.PathLike[str]], enough: int) -> int:
    """How many page images these files and folders (walked) hold by their names, counted up to
    `enough`. Hidden files and folders are not looked at."""
    count = 0
    for p in map(Path, paths):
        if p.is_dir():
            for _root, dirs, names in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                count += sum(named_image(n) and not n.startswith(".") for n in names)
                if count >= enough:
                    return enough
        elif named_image(p):
            count += 1
        if count >= enough:
            return enough
    return count


def preload_ocr(images: int, workers: int) -> bool:
    """Whether the workers' fork server should load the OCR libraries (a second) once for the run: when its
    page images outnumber the workers. Otherwise each worker that meets one loads them, in parallel with the
    others, which costs no more wall time (a scanned page inside a PDF is not known beforehand)."""
    return images > max(1, workers)
