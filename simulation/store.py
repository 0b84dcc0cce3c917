"""Files on disk, all or nothing: a folder or a file is written beside its target and moved into
place only when complete, so a reader (or an interrupted run) never sees half of it.

A shared helper outside the layers (like ``errors.py``): ``Results.save`` (experiments), sweep
points, the warm-up folder, the validation files and the report all write through it, and the
experiments layer may not import ``outputs``. It imports nothing from the package.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

__all__ = ["folder_lock", "require_files", "staged_folder", "write_text"]

_RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths in one step
_AT_FDCWD = -100


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _staging_prefix(target: Path, kind: str = "staging") -> str:
    """Hidden names beside ``target`` that say whose they are: ``.<name>.staging-<pid>-``."""
    return f".{target.name}.{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _clean_stale(target: Path) -> None:
    """Remove what killed writers left beside ``target`` (call with the folder lock held).

    A writer killed with SIGKILL cannot clean up: its staging folder stays, and on a file
    system without an atomic exchange it may have moved the old ``target`` aside without
    moving the new one in. Folders whose writer (the pid in their name) is gone are removed,
    and an old ``target`` moved aside is put back when nothing took its place.
    """
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(staging|old)-(\d+)-\w+$")
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or _alive(int(match.group(2))):
            continue
        moved_aside = entry / target.name
        if match.group(1) == "old" and moved_aside.is_dir() and not target.exists():
            moved_aside.rename(target)
        shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (``flock`` on the directory itself: nothing is left
    behind, and the lock goes with its holder if it is killed). Writers into the same parent
    folder take turns publishing; where ``flock`` is missing this is a no-op."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where
    the system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        done = libc.renameat2(
            _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE
        )
    except (AttributeError, OSError):
        return False
    return done == 0


def _publish(staging: Path, target: Path, replace: bool) -> Path | None:
    """Move a complete ``staging`` folder to ``target`` (call with the folder lock held).

    With ``replace`` what was at ``target`` is swapped out in one step where the system can
    (a reader sees the old folder or the new one, never neither) and moved aside otherwise;
    the returned folder holds it, to be removed after the lock is released. Without
    ``replace`` a ``target`` that exists already (written meanwhile by another process) is
    kept and the staging folder dropped.
    """
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; give it a normal folder's mode
    if not target.exists():
        try:
            staging.rename(target)
            return None
        except OSError:  # created meanwhile
            if not target.exists():
                raise
    if not replace:
        return staging
    if _exchange(staging, target):
        return staging  # now holds the old folder
    old = Path(tempfile.mkdtemp(prefix=_staging_prefix(target, "old"), dir=target.parent))
    target.rename(old / target.name)
    staging.rename(target)
    return old


@contextlib.contextmanager
def staged_folder(
    target: str | os.PathLike,
    *,
    replace: bool = True,
    check: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """A fresh folder beside ``target`` to write into; it becomes ``target`` when the block
    ends without an error (``replace=False``: unless ``target`` exists by then, which is kept)
    and is removed otherwise, Ctrl-C included.

    Publishing happens under ``folder_lock`` of the parent folder, so concurrent writers take
    turns; ``check(target)``, when given, runs under that lock just before (it may raise to
    refuse, e.g. when ``target`` holds another scenario's results). Folders left by writers
    that were killed are cleaned up first.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(target), dir=target.parent))
    leftover = None
    try:
        yield staging
        with folder_lock(target.parent):
            _clean_stale(target)
            if check is not None:
                check(target)
            leftover = _publish(staging, target, replace)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if leftover is not None:
        shutil.rmtree(leftover, ignore_errors=True)


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


@contextlib.contextmanager
def staged_file(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that takes a file name (openpyxl); it
    becomes ``path`` when the block ends without error, and is removed otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    try:
        yield Path(temp)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


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
