"""A LibreOffice kept running: converts decks to PDF on request, without LibreOffice's start-up each time.

Run by the system Python that has LibreOffice's ``uno`` module (Debian's
python3-uno), not by the project's, so it imports nothing from policybrief:

    /usr/bin/python3 unoconvert.py PROFILE_FOLDER

It starts ``soffice --headless`` listening on a private pipe with its own
user profile, connects to it, prints ``ready``, then reads one JSON request a
line from stdin (``{"in": "deck.pptx", "out": "deck.pdf"}``) and answers one
JSON line (``{"ok": true}`` or ``{"error": "…"}``). At the end of stdin it
closes LibreOffice and exits; when the server is gone (killed), it kills its
own process group, LibreOffice included, within a fraction of a second.
"""

import json
import os
import subprocess
import sys
import time

import uno  # noqa: F401 - LibreOffice's Python bridge (system python3-uno)
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

START_TIMEOUT = 60


def prop(name, value):
    """Return a UNO PropertyValue."""
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def start(profile):
    """Return (soffice process, desktop) once LibreOffice answers on its pipe."""
    pipe = f"policybrief{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("LibreOffice did not start") from None
            time.sleep(0.1)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return office, desktop


def convert(desktop, source, target):
    """Write ``source`` (a deck) as the PDF ``target``."""
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0,
                                            (prop("Hidden", True), prop("ReadOnly", True)))
    if document is None:
        raise RuntimeError("LibreOffice could not open the deck")
    try:
        document.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "impress_pdf_Export"),))
    finally:
        document.close(True)


def watch_parent(every=0.2):
    """Kill this helper's process group (itself, soffice and its children) as soon as its parent, the server, is gone.

    The server ends the group when it stops normally; after a ``kill -9`` of
    the server nobody would, and a conversion in progress does not read the
    end of stdin. A thread polls the parent's id: when the server dies this
    process is given to another parent.
    """
    import signal
    import threading

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(every)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def main():
    watch_parent()
    office, desktop = start(os.path.abspath(sys.argv[1]))
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                convert(desktop, request["in"], request["out"])
                answer = {"ok": True}
            except Exception as error:  # report every failure to the server and go on
                answer = {"error": str(error) or type(error).__name__}
            print(json.dumps(answer), flush=True)
    finally:
        try:
            desktop.terminate()
        except Exception:  # the bridge closes as LibreOffice exits
            pass
        try:
            office.wait(10)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
