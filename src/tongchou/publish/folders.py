"""Output folders: checked before any work, filled in a staging folder beside the target, and
swapped in whole, so that a failed or interrupted run leaves the previous bulletin in place.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tongchou.errors import Conflict, InputError, Problem


def checked_target(path: Path, markers: tuple[str, ...]) -> Path:
    """The folder to write to, absolute, after checking that it can be written and replaced:
    it is new, empty, or holds an earlier output (one of `markers`)."""
    path = path.expanduser().absolute()
    for place in (path, *path.parents):
        if place.exists() and not place.is_dir():
            raise InputError(
                Problem(
                    str(path), f"{place} is a file, not a folder", expected="a folder to write into"
                )
            )
    if path.is_dir() and any(path.iterdir()) and not any((path / m).exists() for m in markers):
        raise Conflict(
            f"{path} holds files that tongchou did not write; the output replaces the whole "
            "folder, so give a new or empty folder, or one that holds an earlier output"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent))
        probe.rmdir()
    except OSError as exc:
        raise InputError(
            Problem(
                str(path),
                "cannot write here",
                value=exc.strerror or str(exc),
                expected="a folder in a place you may write to",
            )
        ) from None
    return path


@contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """A new folder beside `target` to fill; removed if the block fails."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def replace_folder(staging: Path, target: Path) -> None:
    """Move `staging` to `target`, replacing what was there; if the move fails, the old
    folder is put back."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        old.rmdir()
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
