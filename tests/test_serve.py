"""build.py serve: the live preview, driven as a designer uses it, in Debian's chromium.

One server per module (on a copy of the content, outputs under tmp_path,
port chosen by the system, bound to 127.0.0.1) serves every test that does
not stop it; the Ctrl-C test starts its own.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from .browser import axe_violations, chromium, phone
from .conftest import CONTENT, ROOT

HEADLINE = "北韓靠與中共經貿往來及輸出勞工挺過國際制裁"


class Server:
    """A ``build.py serve`` process and the lines it printed."""

    def __init__(self, cwd: Path, *args: str, env: dict | None = None) -> None:
        self.cwd = cwd
        env = own_cache(cwd, env)
        self.process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", *args],
                                        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers = [threading.Thread(target=lambda s=stream, into=lines: into.extend(iter(s.readline, "")), daemon=True)
                        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err))]
        for reader in self.readers:
            reader.start()
        match = wait_for(lambda: next((re.search(r"http://127\.0\.0\.1:(\d+)/", line) for line in self.out if "serving" in line), None),
                         60, lambda: f"no URL printed: {self.out} {self.err}")
        self.port = int(match[1])
        self.url = match[0]

    def get(self, path: str, host: str | None = None) -> tuple[int, str, bytes]:
        """Return (status, content type, body) of a raw GET of ``path`` (sent as given, not normalised)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest("GET", path, skip_host=True)
            connection.putheader("Host", host if host is not None else f"127.0.0.1:{self.port}")
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.getheader("content-type", ""), response.read()
        finally:
            connection.close()

    def settled(self, timeout: float = 90) -> str:
        """Return the preview page once the server has built everything (nothing still being made)."""
        def page():
            status, _, body = self.get("/107005/")
            text = body.decode()
            return text if status == 200 and "Built " in text and "still making" not in text else None
        return wait_for(page, timeout, lambda: f"never settled: {self.out} {self.err}")

    def stop(self) -> int:
        """Send Ctrl-C; return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(30)
        for reader in self.readers:
            reader.join(5)
        self.process.stdout.close()
        self.process.stderr.close()
        return code


def own_cache(folder: Path, env: dict | None = None) -> dict:
    """Return ``env`` (default ours) with a user cache folder of its own under ``folder``.

    The servers here build decks; other test files check what a process with
    an empty session cache imports, so these builds leave that cache alone.
    """
    return {**(env or os.environ), "XDG_CACHE_HOME": str(folder / ".user-cache")}


def wait_for(condition, timeout: float, message=lambda: "timed out", step: float = 0.05):
    """Return the first truthy result of ``condition()``, polling until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(step)
    pytest.fail(message())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Return a working folder with content/107005.yaml and a templates folder holding copies of the two stylesheets."""
    root = tmp_path_factory.mktemp("site")
    (root / "content").mkdir()
    shutil.copy(CONTENT, root / "content" / "107005.yaml")
    for name in ("web/web.css", "brief/brief.css"):
        (root / "mine" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "templates" / name, root / "mine" / name)
    return root


@pytest.fixture(scope="module")
def server(site):
    running = Server(site, "content/107005.yaml", "--out", "out", "--templates", "mine")
    running.settled()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    driver = chromium(1500, 1000)
    yield driver
    driver.quit()


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in ``path`` as an editor saves: write a whole new file."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def frame_text(driver) -> str:
    return driver.execute_script("const d = document.getElementById('web').contentDocument; return d && d.body ? d.body.innerText : '';")


# --- what it serves -------------------------------------------------------------------


def test_the_index_lists_every_content_file_and_the_outputs_are_served(server):
    status, kind, body = server.get("/")
    assert status == 200 and 'href="/107005/"' in body.decode()
    for name, expected in (("107005.html", "text/html"), ("107005.pdf", "application/pdf"),
                           ("107005.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                           ("107005-page-01.png", "image/png"), ("107005-slide-01.png", "image/png")):
        status, kind, body = server.get(f"/107005/{name}")
        assert (status, kind.split(";")[0]) == (200, expected), name
        assert body == (server.cwd / "out" / ("preview/" if name.endswith(".png") else "") / name).read_bytes()


def test_the_preview_frame_gets_the_web_edition_with_its_fonts_as_files(server):
    status, kind, body = server.get("/107005/107005.html?v=1&live")
    page = body.decode()
    assert (status, kind) == (200, "text/html; charset=utf-8")
    fonts = re.findall(r'url\("(107005-font-[0-9a-f]{16}\.woff)"\)', page)
    assert len(fonts) == 2 and "data:font" not in page and len(body) < 100_000
    for font in fonts:
        status, kind, data = server.get(f"/107005/{font}")
        assert (status, kind, data[:4]) == (200, "font/woff", b"wOFF")
    assert server.get("/107005/107005-font-0000000000000000.woff")[0] == 404


@pytest.mark.parametrize("path", ["/107005/nothing.pdf", "/nothing/", "/nothing/nothing.html", "/_/nothing.js",
                                  "/107005/.policybrief-cache.json", "/107005/preview"])
def test_a_missing_file_is_a_plain_404(server, path):
    assert server.get(path) == (404, "text/plain; charset=utf-8", b"Not found")


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/%2E%2E/etc/passwd", "//etc/passwd",
                                  "/107005/../../../etc/passwd", "/107005/..%2f..%2f..%2fetc%2fpasswd", "/_/..%2f..%2f..%2fetc%2fpasswd",
                                  "/107005/%2e%2e/content/107005.yaml", "/107005/../content/107005.yaml", "/107005//etc/passwd",
                                  "/107005/..\\..\\content\\107005.yaml"])
def test_no_path_outside_the_outputs_is_served(server, path):
    status, _, body = server.get(path)
    assert status == 404
    assert b"root:" not in body and b"sections" not in body


def test_a_symlink_out_of_the_output_folder_is_not_followed(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    image = server.cwd / "out" / "preview" / "107005-page-01.png"
    original = image.read_bytes()
    image.unlink()
    image.symlink_to(secret)
    try:
        assert server.get("/107005/107005-page-01.png")[0] == 404
    finally:
        image.unlink()
        image.write_bytes(original)


@pytest.mark.parametrize("host,status", [
    ("localhost", 200), ("localhost:{port}", 200), ("127.0.0.1", 200), ("127.0.0.1:{port}", 200), ("[::1]", 200),
    ("[::1]:{port}", 200), ("LOCALHOST:{port}", 200),
    ("evil.example", 403), ("evil.example:{port}", 403), ("localhost.evil.example", 403), ("127.0.0.1.nip.io", 403),
    ("10.0.0.1:{port}", 403), ("", 403), ("localhost:{port}@evil.example", 403), ("[::1]evil", 403),
])
def test_only_requests_addressed_to_localhost_are_answered(server, host, status):
    answered, _, body = server.get("/107005/107005.pdf", host=host.format(port=server.port))
    assert answered == status
    if status == 403:
        assert body == b"Forbidden: this preview server answers only to localhost."


def test_it_listens_on_127_0_0_1_only(server):
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == server.port:  # 0A: LISTEN
                listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"]  # 127.0.0.1, little-endian; nothing on 0.0.0.0 or IPv6


def test_a_second_server_on_a_busy_port_says_so_in_one_line(server, site):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(server.port), "content/107005.yaml"],
                            cwd=site, capture_output=True, text=True, timeout=60, env=own_cache(site))
    assert result.returncode == 1
    assert result.stderr == (f"port {server.port}: already in use on 127.0.0.1 (is another build.py serve running?); "
                             "stop it or choose another port with --port.\n")


@pytest.mark.parametrize("args,code,message", [
    (["content/missing.yaml"], 1, "content/missing.yaml: no such file"),
    (["--templates", "nowhere", "content/107005.yaml"], 1, "nowhere: no such template folder"),
    (["--port", "70000"], 2, "Invalid value for '--port'"),
])
def test_bad_input_is_one_clear_message(site, args, code, message):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", *args], cwd=site, capture_output=True, text=True,
                            timeout=60, env=own_cache(site))
    assert result.returncode == code
    assert message in result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


# --- the page in a browser ---------------------------------------------------------------


def test_the_preview_page_shows_the_web_edition_every_page_and_every_slide(server, browser):
    browser.get(server.url + "107005/")
    wait_for(lambda: HEADLINE in frame_text(browser), 30)
    pages = len(list((server.cwd / "out" / "preview").glob("107005-page-*.png")))
    slides = len(list((server.cwd / "out" / "preview").glob("107005-slide-*.png")))
    assert pages >= 8 and slides >= 20
    assert len(browser.find_elements(By.CSS_SELECTOR, "#pages img")) == pages
    assert len(browser.find_elements(By.CSS_SELECTOR, "#slides img")) == slides
    assert re.match(r"Built \d\d:\d\d:\d\d \(web edition [\d.]+ s · PDF [\d.]+ s · deck [\d.]+ s\)",
                    browser.find_element(By.ID, "status").text)


def test_the_preview_page_has_no_serious_accessibility_violation(server, browser):
    browser.get(server.url + "107005/")
    wait_for(lambda: HEADLINE in frame_text(browser), 30)
    assert axe_violations(browser) == []
    browser.get(server.url)
    assert axe_violations(browser) == []


def test_the_served_web_edition_is_accessible_and_fits_a_360_px_phone(server, browser):
    phone(browser, 360, 740)
    try:
        browser.get(server.url + "107005/107005.html")
        assert HEADLINE in browser.find_element(By.TAG_NAME, "main").text
        widths = browser.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths == [360, 360]
        assert axe_violations(browser) == []
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_an_edited_headline_appears_without_a_reload(server, browser, site):
    browser.get(server.url + "107005/")
    wait_for(lambda: HEADLINE in frame_text(browser), 30)
    browser.execute_script("window.notReloaded = true;")
    edit(site / "content" / "107005.yaml", HEADLINE, "北韓靠經貿往來撐過制裁（改寫）")
    wait_for(lambda: "北韓靠經貿往來撐過制裁（改寫）" in frame_text(browser), 10)
    assert browser.execute_script("return window.notReloaded === true")
    # The PDF pages and the slides follow without a reload too.
    wait_for(lambda: "still being made" not in browser.find_element(By.ID, "slides-title").text
             and "still making" not in browser.find_element(By.ID, "status").text, 60)
    assert browser.execute_script("return window.notReloaded === true")
    edit(site / "content" / "107005.yaml", "北韓靠經貿往來撐過制裁（改寫）", HEADLINE)
    wait_for(lambda: HEADLINE in frame_text(browser), 10)
    server.settled()


@pytest.mark.parametrize("broken,located", [
    # An unclosed flow sequence: YAML notices on the next line.
    (f"headline: [{HEADLINE}", r"content/107005\.yaml:{next}: YAML syntax error: expected ',' or ']', but got ':'\.$"),
    # An unclosed quote: located where it opens, in plain words, as a build says it.
    (f'headline: "{HEADLINE}', r"content/107005\.yaml:{line}: the quote \" that opens the value here is never closed; .*$"),
    ('headline: ""', r"content/107005\.yaml:{line}: sections\[0\]\.topics\[0\]\.points\[0\]\.headline: must not be empty\.$"),
], ids=["syntax", "unclosed-quote", "schema"])
def test_a_broken_yaml_shows_its_file_and_line_keeps_the_last_web_edition_and_recovers(server, browser, site, broken, located):
    content = site / "content" / "107005.yaml"
    good = content.read_text(encoding="utf-8")
    browser.get(server.url + "107005/")
    wait_for(lambda: HEADLINE in frame_text(browser), 30)
    line = next(n for n, row in enumerate(good.splitlines(), 1) if HEADLINE in row)
    located = located.format(line=line, next=line + 1)
    content.write_text(good.replace(f"headline: {HEADLINE}", broken, 1), encoding="utf-8")
    problems = wait_for(lambda: browser.find_element(By.ID, "problems").is_displayed() and browser.find_element(By.ID, "errors").text, 10)
    assert re.match(located, problems), problems
    assert HEADLINE in frame_text(browser)  # the last good web edition stays
    wait_for(lambda: any(re.match(located, row) for row in server.err), 5)  # and in the server's log
    # Fetched anew, the page says the same, and the last good outputs are still served.
    browser.get(server.url + "107005/")
    assert re.match(located, browser.find_element(By.ID, "errors").text)
    wait_for(lambda: HEADLINE in frame_text(browser), 10)
    assert HEADLINE in server.get("/107005/107005.html")[2].decode()
    # Fixing it recovers by itself.
    content.write_text(good, encoding="utf-8")
    wait_for(lambda: not browser.find_element(By.ID, "problems").is_displayed(), 10)
    server.settled()


def test_a_stylesheet_edit_rebuilds_only_what_reads_it(server, site):
    out = site / "out"
    server.settled()
    before = {name: (out / name).stat().st_mtime_ns for name in ("107005.html", "107005.pdf", "107005.pptx")}
    css = site / "mine" / "web" / "web.css"
    original = css.read_text(encoding="utf-8")
    css.write_text(original + "\n.headline { letter-spacing: 0.01em; }\n", encoding="utf-8")
    try:
        wait_for(lambda: (out / "107005.html").stat().st_mtime_ns != before["107005.html"], 10)
        server.settled()
        assert (out / "107005.pdf").stat().st_mtime_ns == before["107005.pdf"]
        assert (out / "107005.pptx").stat().st_mtime_ns == before["107005.pptx"]
        middle = {name: (out / name).stat().st_mtime_ns for name in before}
        brief_css = site / "mine" / "brief" / "brief.css"
        brief_css.write_text(brief_css.read_text(encoding="utf-8") + "\n.headline { letter-spacing: 0.01em; }\n", encoding="utf-8")
        wait_for(lambda: (out / "107005.pdf").stat().st_mtime_ns != middle["107005.pdf"], 15)
        server.settled()
        assert (out / "107005.pptx").stat().st_mtime_ns == middle["107005.pptx"]  # a CSS edit never rebuilds the deck
    finally:
        css.write_text(original, encoding="utf-8")


def test_the_event_stream_says_which_images_are_still_being_made(server, site):
    import json

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", "/107005/events", headers={"Host": f"localhost:{server.port}"})
    response = connection.getresponse()
    assert response.getheader("content-type").startswith("text/event-stream")
    states = []

    def next_state() -> dict:
        while True:
            line = response.fp.readline().decode()
            if line.startswith("data: "):
                return json.loads(line[6:])

    try:
        first = next_state()
        edit(site / "content" / "107005.yaml", HEADLINE, HEADLINE + "甲")
        while True:
            states.append(next_state())
            if not states[-1]["pending"] and states[-1]["slides"] != first["slides"]:
                break
    finally:
        connection.close()
        edit(site / "content" / "107005.yaml", HEADLINE + "甲", HEADLINE)
    assert any(state["pending"] == ["web edition", "PDF pages", "slide images"] for state in states)
    assert any(state["pending"] == ["slide images"] for state in states)  # PDF pages done, slides still being made
    assert states[-1]["web"] != first["web"] and states[-1]["pages"] != first["pages"]
    server.settled()


# --- stopping -----------------------------------------------------------------------------


def test_ctrl_c_stops_cleanly_leaving_no_process_or_temporary_file(site, tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    running = Server(site, "content/107005.yaml", "--out", str(tmp_path / "out"), env={**os.environ, "TMPDIR": str(temp)})
    wait_for(lambda: (tmp_path / "out" / "107005.html").is_file(), 60)
    wait_for(lambda: any(temp.iterdir()), 30)  # LibreOffice's profile is being made: stop in the middle of things
    assert running.stop() == 0
    assert running.out[-1] == "stopped the preview server\n", running.out
    assert list(temp.iterdir()) == []
    leftover = subprocess.run(["pgrep", "-f", str(temp)], capture_output=True, text=True).stdout
    assert leftover == ""


def descendants(pid: int) -> set[int]:
    """Return the ids of the live (not zombie) processes descending from ``pid``."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()  # state, ppid, …
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found, added = set(), {pid}
    while added:
        found |= added
        added = {child for child, parent in parents.items() if parent in added} - found
    return found - {pid}


def alive(pids: set[int]) -> set[int]:
    """Return those of ``pids`` still running (a zombie waiting for its new parent counts as gone)."""
    running = set()
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                running.add(pid)
        except OSError:
            pass
    return running


def test_a_killed_server_leaves_no_process_and_the_next_one_sweeps_its_folders(site, tmp_path):
    """kill -9 of serve: its warm build worker, the LibreOffice helper and LibreOffice itself are gone 2 s later;
    the next serve removes the temporary folders the killed one could not."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    running = Server(site, "content/107005.yaml", "--out", str(tmp_path / "out"), env=env)
    running.settled(300)  # every slide image made: LibreOffice is running (minutes on a loaded machine)
    children = descendants(running.process.pid)
    names = {Path(f"/proc/{pid}/comm").read_text().strip() for pid in children}
    assert {"soffice.bin"} <= names and len(children) >= 3, names  # the build worker, the helper, LibreOffice (and its wrapper)
    stale = sorted(path.name for path in temp.iterdir())  # LibreOffice's own temporary files are inside the office folder
    assert [name.split("-")[:2] for name in stale] == [["policybrief", "office"], ["policybrief", "worker"]], stale
    running.process.kill()
    running.stop()
    time.sleep(2)
    assert alive(children) == set()
    assert sorted(path.name for path in temp.iterdir()) == stale  # nobody removed them: the server was killed
    second = Server(site, "content/107005.yaml", "--out", str(tmp_path / "out"), env=env)
    try:
        assert not [name for name in stale if (temp / name).exists()]
    finally:
        assert second.stop() == 0


@pytest.mark.parametrize(("raw", "plain"), [
    (b"/a..b/", True), (b"/a..b/a..b.pdf", True), (b"/report.v2/report.v2.html?live", True), (b"/107005/", True),
    (b"/../etc/passwd", False), (b"/a..b/../x", False), (b"/a/..", False), (b"/./x", False), (b"/%2e%2e/x", False),
    (b"//etc/passwd", False), (b"/a\\b", False),
])
def test_dots_inside_a_content_name_are_served_and_dot_segments_are_not(raw, plain):
    """A content file called a..b.yaml has its preview at /a..b/ (once a 404 without a word); '..' segments stay refused."""
    from policybrief.serve.server import plain_path

    assert plain_path(raw) is plain
