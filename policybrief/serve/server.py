"""The preview server: HTTP routes over the build worker's outputs, bound to 127.0.0.1 only.

Only what a build made (the three outputs and the preview images of each
content file) and the page's own two assets are served, by name from a
fixed list: no request path is ever joined onto a folder, and a file that
resolves outside the output folder (a symlink) is refused. A request whose
Host header is not this machine's own name is refused too (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import hashlib
import json
import re
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from policybrief.errors import BriefError

HOST = "127.0.0.1"
LOCAL_NAMES = {"localhost", "127.0.0.1", "[::1]"}
ASSET_FOLDER = Path(__file__).with_name("assets")
PING_SECONDS = 15


def listen(port: int) -> socket.socket:
    """Return a socket listening on 127.0.0.1:``port`` (0: any free port); raise BriefError when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise BriefError(f"port {port}: already in use on {HOST} (is another build.py serve running?); "
                             "stop it or choose another port with --port.") from None
        raise BriefError(f"port {port}: cannot listen on {HOST} ({error.strerror}); choose another port with --port.") from None
    sock.listen(64)
    return sock


def local_host(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Return True when the request's Host header names this machine (localhost, 127.0.0.1 or [::1], any port)."""
    hosts = [value.decode("latin-1").strip().lower() for key, value in headers if key.lower() == b"host"]
    if len(hosts) != 1:
        return False
    host = hosts[0]
    name = host[: host.index("]") + 1] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]
    port = host[len(name):]
    return name in LOCAL_NAMES and (port == "" or (port[:1] == ":" and port[1:].isdigit()))


def plain_path(raw: bytes) -> bool:
    """Return True for a request path without a ``..`` or ``.`` segment, ``//``, backslash or encoded dot, slash or backslash.

    Dots inside a name are plain: a content file may be called ``a..b.yaml``
    and its preview is ``/a..b/``.
    """
    path = raw.split(b"?", 1)[0].lower()
    if b"//" in path or b"\\" in path or any(code in path for code in (b"%2e", b"%2f", b"%5c")):
        return False
    return not any(segment in (b".", b"..") for segment in path.split(b"/"))


class LocalOnly:
    """ASGI middleware: answer 403 to any request whose Host is not local; 404 to paths with ``..`` segments or ``//``."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            if not local_host(scope["headers"]):
                return await _plain(send, 403, "Forbidden: this preview server answers only to localhost.")
            if not plain_path(scope.get("raw_path", b"")):
                return await _plain(send, 404, "Not found")
        await self.app(scope, receive, send)


async def _plain(send, status: int, text: str) -> None:
    """Send a plain-text response."""
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(text)).encode())]})
    await send({"type": "http.response.body", "body": text.encode()})


_INLINE_FONT = re.compile(r'url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\)')
KEEP_FONTS = 8


class LiveFonts:
    """The web edition as the preview's frame loads it: its inlined fonts are served as files instead.

    The browser keeps a font file it has fetched, so reloading the frame after
    an edit parses 25 KB of HTML instead of decoding 1.3 MB of inlined fonts
    again. The file in the output folder stays self-contained.
    """

    def __init__(self) -> None:
        self.pages: dict[Path, tuple[int, bytes]] = {}
        self.fonts: dict[str, bytes] = {}  # file name (<name>-font-<digest>.woff) → font

    def page(self, path: Path, name: str) -> bytes:
        """Return the web edition at ``path`` with each inlined font replaced by the URL of its file."""
        stamp = path.stat().st_mtime_ns
        if path in self.pages and self.pages[path][0] == stamp:
            return self.pages[path][1]

        def served(match: re.Match) -> str:
            file = f"{name}-font-{hashlib.sha256(match[1].encode()).hexdigest()[:16]}.woff"
            if file not in self.fonts:
                self.fonts[file] = base64.b64decode(match[1])
                for old in list(self.fonts)[:-KEEP_FONTS]:
                    del self.fonts[old]
            return f'url("{file}")'

        page = _INLINE_FONT.sub(served, path.read_text(encoding="utf-8")).encode("utf-8")
        self.pages[path] = (stamp, page)
        return page


class Hub:
    """Passes state changes from the build thread to every open event stream."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queues: dict[str, set[asyncio.Queue]] = {}
        self.closed = False

    def publish(self, name: str, state: dict) -> None:
        """Send ``state`` to the streams of ``name`` (callable from any thread)."""
        if self.loop is not None and not self.closed:
            message = json.dumps(state, ensure_ascii=False)
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                self.loop.call_soon_threadsafe(self._put, name, message)

    def _put(self, name: str, message: str | None) -> None:
        for queue in self.queues.get(name, ()):
            queue.put_nowait(message)

    def close(self) -> None:
        """End every stream (on Ctrl-C, so the server need not wait for them)."""
        self.closed = True
        if self.loop is not None:
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(lambda: [self._put(name, None) for name in list(self.queues)])


def make_app(worker, hub: Hub, on_start: Callable[[], None], on_stop: Callable[[], None]):
    """Return the Starlette application over ``worker``'s editions."""
    from starlette.applications import Starlette
    from starlette.responses import (
        FileResponse,
        HTMLResponse,
        PlainTextResponse,
        RedirectResponse,
        Response,
        StreamingResponse,
    )
    from starlette.routing import Route

    from policybrief.serve.page import ASSETS, index_page, preview_page

    out = worker.out_dir.resolve()
    not_found = PlainTextResponse("Not found", status_code=404)
    live = LiveFonts()

    def edition_of(request):
        return worker.editions.get(request.path_params["name"])

    async def index(request):
        return HTMLResponse(index_page(sorted(worker.editions)))

    async def asset(request):
        name = request.path_params["file"]
        if name not in ASSETS:
            return not_found
        return PlainTextResponse((ASSET_FOLDER / name).read_text(encoding="utf-8"), media_type=ASSETS[name],
                                 headers={"Cache-Control": "no-cache"})

    async def preview(request):
        edition = edition_of(request)
        return HTMLResponse(preview_page(edition.snapshot()), headers={"Cache-Control": "no-store"}) if edition else not_found

    async def to_preview(request):
        return RedirectResponse(f"/{request.path_params['name']}/") if edition_of(request) else not_found

    async def output(request):
        edition, name = edition_of(request), request.path_params["file"]
        if edition is not None and name in live.fonts and name.startswith(f"{edition.name}-font-"):
            return Response(live.fonts[name], media_type="font/woff", headers={"Cache-Control": "max-age=86400, immutable"})
        if edition is None or name not in edition.served():
            return not_found
        folder = out / "preview" if name.endswith(".png") else out
        path = (folder / name).resolve()
        if not path.is_relative_to(out) or not path.is_file():  # a symlink out of the output folder, or not built yet
            return not_found
        if name == f"{edition.name}.html" and "live" in request.query_params:  # the preview's own frame
            return Response(live.page(path, edition.name), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    async def events(request):
        edition = edition_of(request)
        if edition is None:
            return not_found
        queue: asyncio.Queue = asyncio.Queue()
        hub.queues.setdefault(edition.name, set()).add(queue)

        async def stream():
            try:
                yield f"data: {json.dumps(edition.snapshot(), ensure_ascii=False)}\n\n"
                while not hub.closed:
                    try:
                        message = await asyncio.wait_for(queue.get(), PING_SECONDS)
                    except TimeoutError:
                        yield ": ping\n\n"
                        continue
                    if message is None:
                        return
                    yield f"data: {message}\n\n"
            finally:
                hub.queues[edition.name].discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        hub.loop = asyncio.get_running_loop()
        on_start()
        try:
            yield
        finally:
            hub.close()
            await asyncio.get_running_loop().run_in_executor(None, on_stop)

    routes = [
        Route("/", index),
        Route("/_/{file}", asset),
        Route("/{name}", to_preview),
        Route("/{name}/", preview),
        Route("/{name}/events", events),
        Route("/{name}/{file}", output),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def run(sock: socket.socket, app, hub: Hub) -> None:
    """Serve ``app`` on ``sock`` until Ctrl-C (or SIGTERM); the streams end at once, the server within a second."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            hub.close()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2, lifespan="on")
    server = Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def serve(paths: Iterable[Path] = (), *, out_dir: Path = Path("build"), templates: Iterable[Path] = (), port: int = 8000,
          on_ready: Callable[[str], None], log: Callable[[str, bool], None]) -> None:
    """Serve the live preview of every content file until Ctrl-C, which raises KeyboardInterrupt after a clean stop.

    Problems a user can fix before anything starts (no content, a missing
    template folder, a busy port) raise BriefError; later ones are shown on
    the page and logged through ``log(line, is_problem)``.
    """
    from policybrief.api import find_content, template_folders
    from policybrief.load.yamlfile import read_text
    from policybrief.output import ensure_folder
    from policybrief.serve.office import OFFICE_PREFIX, Office, remove_stale_folders
    from policybrief.serve.worker import WORKER_PREFIX, Worker
    from policybrief.watch import watched_folders

    templates = list(templates)
    files = find_content(paths)
    for path in files:
        read_text(path, str(path))  # a missing or unreadable content file: one clear message now
    folders = watched_folders(files, template_folders(templates))
    ensure_folder(out_dir)
    sock = listen(port)
    remove_stale_folders(Path(tempfile.gettempdir()), (OFFICE_PREFIX, WORKER_PREFIX))  # left by a server killed with SIGKILL
    office, hub, stop_watching = Office(), Hub(), threading.Event()
    worker = Worker(files, out_dir, templates, office, log=log,
                    notify=lambda name: hub.publish(name, worker.editions[name].snapshot()))
    worker.fork(sock.fileno())  # before any thread starts
    threads = [threading.Thread(target=_start_office, args=(office, worker, log), daemon=True),
               threading.Thread(target=_watch, args=(folders, out_dir, worker, stop_watching), daemon=True)]

    def start() -> None:
        for thread in threads:
            thread.start()
        worker.start()
        on_ready(f"http://{HOST}:{sock.getsockname()[1]}/")

    def stop() -> None:
        stop_watching.set()
        worker.stop_soon()
        office.close()  # ends a conversion in progress
        worker.stop()
        for thread in threads:
            thread.join(10)

    try:
        run(sock, LocalOnly(make_app(worker, hub, start, stop)), hub)
    finally:  # also when the server never started
        office.close()
        worker.stop()


def _start_office(office, worker, log: Callable[[str, bool], None]) -> None:
    """Start LibreOffice for the slide images; a reason it cannot be kept running becomes a warning (page and log)."""
    worker.office_warning = office.start() or ""
    if worker.office_warning:
        log(f"warning: {worker.office_warning}", True)


def _watch(folders: list[Path], out_dir: Path, worker, stop: threading.Event) -> None:
    """Ask ``worker`` to rebuild after every save in ``folders`` (outputs and hidden files ignored) until ``stop``."""
    import watchfiles

    out = out_dir.resolve()

    def relevant(change, path: str) -> bool:
        return not Path(path).resolve().is_relative_to(out) and not Path(path).name.startswith((".", "~"))

    for changes in watchfiles.watch(*folders, watch_filter=relevant, debounce=50, step=20, stop_event=stop,
                                    raise_interrupt=False):
        names = {Path(path).name for _, path in changes}
        worker.request(sorted({Path(path).name for _, path in changes if Path(path).exists()} or names))
