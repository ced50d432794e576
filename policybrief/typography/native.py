"""WeasyPrint imported without probing for its C libraries with ``gcc`` and ``ld``.

``import weasyprint`` opens Pango, HarfBuzz, fontconfig and GObject through
cffi, trying several names for each. cffi asks ``ctypes.util.find_library``
about every name it cannot open directly, and on Linux that function runs
``ldconfig -p`` and then, for each name the loader cache does not know,
``gcc`` and ``ld`` (about 20 ms each): 16 failing probes, 0.4 s of every
fresh process that typesets. Here the first import answers those questions
from the dynamic loader's cache alone (read once); should WeasyPrint then
fail to load, it is imported again with the standard lookup, so a library
found only by ``gcc`` still works. WeasyPrint's files are not changed.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from types import ModuleType

_LDCONFIG = ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")


def import_weasyprint() -> ModuleType:
    """Return the ``weasyprint`` module, imported with library names resolved through the loader cache."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util

    standard = ctypes.util.find_library
    ctypes.util.find_library = from_loader_cache
    try:
        import weasyprint
    except (ImportError, OSError):  # a library the loader cache does not know: the standard lookup, as always
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = standard
        import weasyprint
    finally:
        ctypes.util.find_library = standard
    return weasyprint


def from_loader_cache(name: str) -> str | None:
    """Return the soname the dynamic loader's cache gives for library ``name`` (``pango-1.0`` → ``libpango-1.0.so.0``), else None.

    The same reading of ``ldconfig -p`` as the standard lookup's first step, with its output read once per process.
    """
    match = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(_abi_type())}", _loader_cache())
    return match[1] if match else None


def _abi_type() -> str:
    """Return how ``ldconfig -p`` names this machine's libraries (as ``ctypes.util`` does)."""
    import struct

    machine = os.uname().machine + "-" + str(struct.calcsize("l") * 8)
    return {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
            "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64", "aarch64-64": "libc6,AArch64"}.get(machine, "libc6")


@functools.cache
def _loader_cache() -> str:
    """Return the listing of the loader's cache, ``ldconfig -p`` (read once; empty when it cannot be read)."""
    import subprocess

    for command in _LDCONFIG:
        try:
            return subprocess.run([command, "-p"], capture_output=True, text=True, timeout=10,
                                  env={**os.environ, "LC_ALL": "C", "LANG": "C"}).stdout
        except (OSError, subprocess.SubprocessError):
            continue
    return ""
