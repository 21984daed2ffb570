"""One studio's files as the loader sees them: a base folder with an optional per-file overlay, and
the digest of every file actually read.

A project's `.haiku/studios/<studio>/` overlays the base studio one file at a time, as the
H·AI·K·U engine reads it (packages/haiku/src/studio-reader.ts: each lookup tries the project's
folder first, then the plugin's; hats and review agents are merged by file name, the project's
winning): a file present in the overlay replaces the same relative path, every other file comes
from the base, and a folder's listing is the union of both. So a partial overlay (one hat, or one
STAGE.md) is a complete studio.

The digest is sha256 over (relative path, bytes) of every file read, in sorted order: it changes
exactly when what the studio walks by may have changed, wherever the files came from.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.errors import SourceError

if TYPE_CHECKING:
    from cockpit.text import frontmatter


class StudioFiles:
    def __init__(self, base: Path, overlay: Path | None = None) -> None:
        self.base = base
        self.overlay = overlay
        self.read_bytes: dict[str, bytes] = {}  # relative path → bytes, of every file the definition used
        self.overlaid: set[str] = set()  # the relative paths taken from the overlay

    def path(self, rel: str) -> Path | None:
        """Where `rel` is read from: the overlay's file if it has one, else the base's; None if neither."""
        for folder in (self.overlay, self.base):
            if folder is not None and (folder / rel).is_file():
                return folder / rel
        return None

    def is_dir(self, rel: str) -> bool:
        return any(folder is not None and (folder / rel).is_dir() for folder in (self.overlay, self.base))

    def markdown(self, rel_dir: str) -> list[str]:
        """The relative paths of the `*.md` files in `rel_dir`, base and overlay merged, sorted."""
        names: set[str] = set()
        for folder in (self.base, self.overlay):
            if folder is not None and (folder / rel_dir).is_dir():
                names.update(p.name for p in (folder / rel_dir).glob("*.md") if p.is_file())
        return [f"{rel_dir}/{name}" for name in sorted(names)]

    def record(self, rel: str, data: bytes) -> None:
        self.read_bytes[rel] = data

    def read(self, rel: str, problems: list[SourceError]) -> frontmatter.Document | None:
        """Parse `rel` (recording its bytes for the digest); a problem is reported with its file and line."""

        path = self.path(rel)
        if path is None:
            problems.append(SourceError(str(self.base / rel), 1, "file not found"))
            return None
        try:
            document, data = read_document(path)
        except SourceError as exc:
            problems.append(exc)
            return None
        self.record(rel, data)
        if self.overlay is not None and path == self.overlay / rel:
            self.overlaid.add(rel)
        return document

    def digest(self) -> str:
        digest = hashlib.sha256()
        for rel in sorted(self.read_bytes):
            data = self.read_bytes[rel]
            digest.update(rel.encode() + b"\0" + len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()


def read_document(path: Path) -> tuple[frontmatter.Document, bytes]:
    """The parsed file and its bytes (read once: the digest needs them too)."""
    from cockpit.text import frontmatter

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), 1, exc.strerror or str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return frontmatter.parse(str(path), text.replace("\r\n", "\n").replace("\r", "\n")), data
