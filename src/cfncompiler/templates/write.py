"""Put rendered templates in place all at once, or not at all.

The new output directory is assembled beside the old one (unchanged files
hard-linked, changed files written and flushed), then the two directories are
swapped with one atomic ``renameat2(RENAME_EXCHANGE)``. Killed at any moment,
``templates_out/`` is either exactly as before or exactly as compiled; never
a mix. Where the kernel or filesystem cannot exchange, files are replaced one
by one (each still atomic).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path


def write_all(out_dir: Path, files: dict[str, str]) -> list[str]:
    """Write ``files`` (name -> text) into ``out_dir``; return the names whose content changed.

    Unchanged files keep their bytes, inode and timestamp.
    """
    changed = [name for name, text in files.items() if _read(out_dir / name) != text]
    if not changed:
        return []
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        if out_dir.is_dir():
            os.chmod(stage, out_dir.stat().st_mode & 0o7777)
            _mirror(out_dir, stage)
        else:
            os.chmod(stage, 0o777 & ~_umask())
        for name in changed:
            _write_file(stage / name, files[name])
        _fsync_dir(stage)
        if not out_dir.exists():
            os.rename(stage, out_dir)
        elif _exchange(stage, out_dir):
            pass  # stage now holds the previous output
        else:
            for name in changed:
                os.replace(stage / name, out_dir / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return changed


def _mirror(source: Path, target: Path) -> None:
    """Hard-link every file of ``source`` into ``target`` (copy where links are impossible)."""
    shutil.copytree(source, target, copy_function=_link_or_copy, dirs_exist_ok=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_file(path: Path, text: str) -> None:
    # The staged copy may be a hard link to the live file: writing through it would
    # change the live output before the swap. A new inode leaves the live one alone.
    path.unlink(missing_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o666 & ~_umask())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, UnicodeDecodeError):
        return None
