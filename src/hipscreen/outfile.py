"""Every file the CLI writes, written safely (issue 18, "Atomic outputs").

* Atomic: the content goes to a temporary file in the output's own folder (``.NAME.XXXXXXXX.part``,
  hidden and with no table or report extension, so a leftover one never passes for the output),
  is flushed to disk (fsync) and renamed over the output in one step, then the folder is synced.
  A process killed while writing leaves the old output whole (or none at all), never a shorter
  file that looks complete; a failure removes the temporary file.
* Never onto an input: an output that is the same file as one of the command's inputs (the same
  resolved path, or `os.path.samefile`, which also catches hard links) is refused before any work.
* Never through a symbolic link: an output path that is a symlink is refused, not followed (the
  rename would replace the link, never its target).
* Private by default: a file holding a person's data is created readable and writable by its owner
  only (0600), like the record database: every output of `screen -o` (text, Markdown, JSON, PDF,
  SVG, FHIR Bundle), `batch -o`, `export`, and any other `-o` not named next. Only files that
  hold no one's data are created with the usual permissions (0666 less the umask): the batch
  template (`batch --template`), the knowledge reference (`docs`) and a case-file report
  (`cases -o`; case files are made-up people).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from hipscreen.documents import InputError

PRIVATE_MODE = 0o600
SHARED_MODE = 0o666  # less the umask, as the kernel applies it
TEMP_SUFFIX = ".part"


class OutputPathError(InputError):
    """An output path that must not be written (an input, a symlink, a folder) or cannot be (no
    such folder, no permission); the message names the path. Exit code 2."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:  # one of them does not exist (yet)
        pass
    return a.resolve() == b.resolve()


def check_output(path: str | os.PathLike[str],
                 inputs: Iterable[str | os.PathLike[str] | None] = ()) -> Path:
    """Refuse an output path that is a symlink, a folder, or one of `inputs` (None or '-',
    standard input, are skipped); return it as a Path."""
    target = Path(path)
    if target.is_symlink():
        raise OutputPathError(f"{target}: is a symbolic link; refusing to write through it "
                              "(give the path of a regular file)")
    if target.is_dir():
        raise OutputPathError(f"{target}: is a folder; give a file to write")
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        if _same_file(target, Path(given)):
            raise OutputPathError(f"{target}: is the input {Path(given)}; refusing to write the "
                                  "output over its own input (choose another output file)")
    return target


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every system can open a folder (Windows)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *,
                inputs: Iterable[str | os.PathLike[str] | None] = (),
                private: bool = True) -> Iterator[Path]:
    """A temporary file beside `path` for the caller to write (by path: pandas, pyarrow); when the
    block ends without an error it is synced and renamed to `path`, else removed. Refuses (before
    the block runs) what `check_output` refuses; OutputPathError when the folder cannot be
    written."""
    target = check_output(path, inputs)
    folder = target.parent
    temp = folder / f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        os.close(os.open(temp, flags, PRIVATE_MODE if private else SHARED_MODE))
    except OSError as exc:
        raise OutputPathError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        yield temp
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if target.is_symlink():  # became one while we wrote: the rename would replace the link
            raise OutputPathError(f"{target}: is a symbolic link; refusing to write through it "
                                  "(give the path of a regular file)")
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


def write_file(path: str | os.PathLike[str], data: bytes | str, *,
               inputs: Iterable[str | os.PathLike[str] | None] = (), private: bool = True) -> None:
    """Write `data` (text as UTF-8) to `path` atomically; OutputPathError naming the path when it
    must not or cannot be written."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with atomic_path(path, inputs=inputs, private=private) as temp:
            fd = os.open(temp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
            with open(fd, "wb") as handle:
                handle.write(payload)
    except OSError as exc:
        raise OutputPathError(f"{Path(path)}: cannot write ({exc.strerror or exc})") from None
