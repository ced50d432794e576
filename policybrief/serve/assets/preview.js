// Keeps the preview page current: the server sends its state on every change
// (Server-Sent Events); the web edition reloads in place (keeping its scroll
// position), images are swapped when new ones are made, problems are shown.
// data-loaded-at attributes (ms since the epoch) say when each part last
// showed a new build, data-requested-at when the web edition was asked for;
// the benchmark reads them.
(() => {
  const name = document.body.dataset.name;
  const frame = document.getElementById("web");
  const byId = (id) => document.getElementById(id);

  function statusLine(state) {
    if (!state.built) return "Building…";
    const times = Object.entries(state.seconds).map(([label, s]) => `${label} ${s.toFixed(2)} s`).join(" · ");
    const pending = state.pending.length ? ` — still making: ${state.pending.join(", ")}` : "";
    return `Built ${state.built}` + (times ? ` (${times})` : "") + pending;
  }

  function fillList(list, lines, box) {
    list.replaceChildren(...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
    box.hidden = lines.length === 0;
  }

  // Each URL carries a digest of its pixels: only images that changed are fetched again.
  function showImages(list, urls) {
    const images = Array.from(list.querySelectorAll("img"));
    const changed = urls.map((url, index) => [url, index]).filter(([url, index]) => images[index]?.getAttribute("src") !== url);
    if (!changed.length && images.length === urls.length) return;
    let waiting = changed.length;
    const done = () => { if (--waiting <= 0) list.dataset.loadedAt = Date.now(); };
    for (const [url, index] of changed) {
      let img = images[index];
      if (!img) {
        img = Object.assign(document.createElement("img"), { alt: `${list.dataset.kind} ${index + 1}` });
        const item = document.createElement("li");
        item.append(img);
        list.append(item);
      }
      img.addEventListener("load", done, { once: true });
      img.addEventListener("error", done, { once: true });
      img.src = url;
    }
    images.slice(urls.length).forEach((img) => img.parentNode.remove());
    list.dataset.shown = urls.join(" ");
    if (!changed.length) done();
  }

  function showWeb(url) {
    if (!url || frame.dataset.version === url) return;
    let y = 0;
    try { y = frame.contentWindow.scrollY; } catch (e) { /* not loaded yet */ }
    frame.addEventListener("load", () => {
      try { frame.contentWindow.scrollTo(0, y); } catch (e) { /* ignore */ }
      frame.dataset.loadedAt = Date.now();
    }, { once: true });
    frame.dataset.version = url;
    frame.dataset.requestedAt = Date.now();
    frame.src = `${url}&live`;  // fonts as files the browser keeps, not inlined: a quicker reload
  }

  function apply(state) {
    window.previewState = state;
    byId("status").textContent = statusLine(state);
    fillList(byId("errors"), state.errors, byId("problems"));
    fillList(byId("warnings"), state.warnings, byId("notes"));
    byId("web-pending").textContent = state.pending.includes("web edition") ? "(updating…)" : "";
    byId("pages-pending").textContent = state.pending.includes("PDF pages") ? "(still being made…)" : "";
    byId("slides-pending").textContent = state.pending.includes("slide images") ? "(still being made…)" : "";
    showWeb(state.web);
    showImages(byId("pages"), state.pages);
    showImages(byId("slides"), state.slides);
    document.body.dataset.errors = state.errors.length;
  }

  const events = new EventSource(`/${encodeURIComponent(name)}/events`);
  events.onmessage = (event) => apply(JSON.parse(event.data));
  events.onerror = () => { byId("status").textContent = "Not connected to the preview server (stopped?) — retrying…"; };
})();
