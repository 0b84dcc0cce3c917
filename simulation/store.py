"""Files on disk, all or nothing: a folder or a file is written beside its target and moved into
place only when complete, so a reader (or an interrupted run) never sees half of it.

A shared helper outside the layers (like ``errors.py``): ``Results.save`` (experiments), sweep
points, the warm-up folder, the validation files and the report all write through it, and the
experiments layer may not import ``outputs``. It imports nothing from the package.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["require_files", "staged_folder", "write_text"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _publish(staging: Path, target: Path, replace: bool) -> None:
    """Move a complete ``staging`` folder to ``target``.

    With ``replace`` what was at ``target`` is moved aside and removed after the rename; without
    it a ``target`` that exists already (written meanwhile by another process) is kept and the
    staging folder dropped.
    """
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; give it a normal folder's mode
    if not target.exists():
        try:
            staging.rename(target)
            return
        except OSError:  # created meanwhile
            if not target.exists():
                raise
    if not replace:
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    target.rename(old / target.name)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged_folder(target: str | os.PathLike, *, replace: bool = True) -> Iterator[Path]:
    """A fresh folder beside ``target`` to write into; it becomes ``target`` when the block
    ends without an error (``replace=False``: unless ``target`` exists by then, which is kept)
    and is removed otherwise, Ctrl-C included."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        _publish(staging, target, replace)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically: a temporary file in
    the same folder, renamed over ``path`` when complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


def require_files(folder: str | os.PathLike, names: Iterable[str], what: str) -> Path:
    """``folder`` as a ``Path`` if it holds every file of ``names``; else ``FileNotFoundError``
    naming the folder and every missing file (``what`` says what the folder should be)."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such {what}")
    missing = [name for name in names if not (root / name).exists()]
    if missing:
        raise FileNotFoundError(f"{root}: missing {', '.join(missing)} (is it a {what}?)")
    return root
