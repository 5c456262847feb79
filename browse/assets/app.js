// ovavel results browser: one page, hash routes (#/, #/clips?..., #/clip/ID?..., #/annotation).
// Data: window.OVAVEL_DATA from data.js (loaded once). No framework, no build step.
"use strict";
(function () {
  const D = window.OVAVEL_DATA;
  const view = document.getElementById("view");
  const ROW_H = 56;
  const ERRORS = {
    "missed": "a true event with no second of it predicted as its class",
    "false": "a predicted event that overlaps no second of a true event",
    "wrong-class": "a second predicted as a class other than the clip's",
    "boundary": "the clip's class predicted as many events as the truth, each off by at most one second at a " +
                "start or end, at least one off",
  };
  const state = { filtered: [], filters: {}, sort: { col: "class", asc: true }, listSort: { col: "", asc: true } };
  window.OVAVEL_STATE = state;  // what tests and the console can read

  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  };
  const pct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1));
  const color = (i) => `hsl(${(i * 137.508) % 360}, 62%, 45%)`;
  const className = (i) => D.classes[i].name;
  const avg = (s) => (s ? (s[0] + s[1] + s[2]) / 3 : null);
  const methods = D.methods.map((m) => m.name);
  const byId = new Map(D.clips.map((c, i) => [c.id, i]));

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, "");
    const q = h.indexOf("?");
    const path = decodeURIComponent(q < 0 ? h : h.slice(0, q));
    return { path, params: new URLSearchParams(q < 0 ? "" : h.slice(q + 1)) };
  }
  function filterQuery(f) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
    const s = p.toString();
    return s ? "?" + s : "";
  }

  // ---------- overview ----------
  // The user's methods and the paper's Table 2 rows ("published") in one table, sortable by any
  // column (default: total Avg, best first), so a new model lands in its place among them.
  const KEYS = ["acc", "seg_f1", "event_f1", "avg"];
  const overviewSort = { col: "total:avg", asc: false };
  function metricsTable() {
    const rows = [...D.methods.map((m) => ({ name: m.name, source: "yours", summary: m.summary })),
                  ...(D.published || []).map((p) => ({ name: p.name, source: "published (paper, Table 2)",
                                                       summary: p.summary }))];
    for (const r of rows) for (const g of ["seen", "unseen", "total"]) for (const k of KEYS)
      r[`${g}:${k}`] = r.summary[g] ? r.summary[g][k] : null;
    const cols = [["method", "name"], ["source", "source"]];
    for (const g of ["seen", "unseen", "total"]) for (const [k, t] of [["acc", "Acc"], ["seg_f1", "Seg"],
                                                                        ["event_f1", "Eve"], ["avg", "Avg"]])
      cols.push([`${g} ${t}`, `${g}:${k}`]);
    cols.push(["videos", "videos"]);
    for (const r of rows) r.videos = r.source === "yours" ? r.summary.total.videos : null;
    const t = el("table", { id: "metrics" });
    const draw = () => {
      const { col, asc } = overviewSort;
      rows.sort((a, b) => {
        const x = a[col], y = b[col];
        const d = (x === null) - (y === null) || (typeof x === "number" ? x - y : String(x).localeCompare(String(y)));
        return asc ? d : -d;
      });
      const head = el("tr");
      for (const [title, key] of cols) head.append(el("th", {
        "data-col": key, class: overviewSort.col === key ? "sorted" + (overviewSort.asc ? " asc" : "") : "",
        text: title, title: "sort by " + title,
        onclick: () => { overviewSort.asc = overviewSort.col === key ? !overviewSort.asc : key === "name";
                         overviewSort.col = key; draw(); } }));
      t.replaceChildren(head);
      for (const r of rows) {
        const tr = el("tr", { class: r.source === "yours" ? "yours" : "published" },
                      el("td", { text: r.name }), el("td", { text: r.source }));
        for (const g of ["seen", "unseen", "total"]) for (const k of KEYS)
          tr.append(el("td", { text: r.summary[g] ? r.summary[g].shown[k] : "–" }));
        tr.append(el("td", { text: r.videos === null ? "" : String(r.videos) }));
        t.append(tr);
      }
    };
    draw();
    return t;
  }
  function overview() {
    const t = metricsTable();
    const parts = [];
    if (D.annotation && D.annotation.scripted)
      parts.push(el("p", { class: "banner", id: "scripted-banner", text: "SCRIPTED ANNOTATORS: every answer of the " +
        "annotation rounds took 0 s (a person's page always records the time spent): they were posted by a script, " +
        "not given by people." }));
    for (const m of D.methods.filter((x) => x.random_weights))
      parts.push(el("p", { class: "banner", text: `RANDOM WEIGHTS: ${m.name} ran on features of an encoder with ` +
                                                  "random weights; its figures carry no meaning." }));
    parts.push(el("h2", { text: "Metrics (percent; published rows: the paper's Table 2, for the official "
                                + "test split)" }), t);
    if (!D.methods.length) parts.push(el("p", { text: "No results given (--results)." }));
    parts.push(el("h2", { text: "Per class" }), perClassTable());
    const figs = D.methods.filter((m) => m.figure);
    if (figs.length) {
      const box = el("div", { class: "figures" });
      for (const m of figs) box.append(el("figure", {}, el("img", { src: m.figure, alt: `${m.name} per class` }),
                                          el("figcaption", { text: `${m.name}: per class` })));
      parts.push(el("h2", { text: "Figures" }), box);
    }
    parts.push(el("h2", { text: "Error types (clip list filter)" }), definitions());
    view.replaceChildren(...parts);
  }

  function definitions() {
    const dl = el("dl", { class: "defs" });
    for (const [k, v] of Object.entries(ERRORS)) dl.append(el("dt", { text: k }), el("dd", { text: v }));
    return dl;
  }

  function perClassTable() {
    const counts = new Map();
    for (const c of D.clips) counts.set(c.class, (counts.get(c.class) || 0) + 1);
    const rows = D.classes.map((c, i) => ({ i, name: c.name, group: c.group, split: c.split, videos: counts.get(i) || 0 }))
      .filter((r) => r.videos > 0);
    for (const r of rows) for (const m of D.methods) {
      const f = m.per_class[r.name] || {};
      for (const k of ["acc", "seg_f1", "event_f1", "avg"]) {
        r[`${m.name}:${k}`] = f[k] ?? null;
        r[`${m.name}:${k}:shown`] = f.shown ? f.shown[k] : "–";  // as per_class.csv / report.md round it
      }
    }
    const cols = [["class", "name"], ["group", "group"], ["split", "split"], ["videos", "videos"]];
    for (const m of D.methods) for (const [k, t] of [["acc", "Acc"], ["seg_f1", "Seg"], ["event_f1", "Eve"], ["avg", "Avg"]])
      cols.push([`${m.name} ${t}`, `${m.name}:${k}`]);
    const table = el("table", { id: "per-class" });
    const draw = () => {
      const { col, asc } = state.sort;
      rows.sort((a, b) => {
        const x = a[col], y = b[col];
        const r = (x === null) - (y === null) || (typeof x === "number" ? x - y : String(x).localeCompare(String(y)));
        return asc ? r : -r;
      });
      const head = el("tr");
      for (const [title, key] of cols) {
        const th = el("th", { text: title, "data-col": key });
        if (state.sort.col === key) th.className = "sorted" + (asc ? " asc" : "");
        th.addEventListener("click", () => {
          state.sort = { col: key, asc: state.sort.col === key ? !state.sort.asc : key === "name" };
          draw();
        });
        head.append(th);
      }
      const body = rows.map((r) => el("tr", {}, ...cols.map(([, key], j) => el("td", {
        class: j < 3 ? "text" : "", text: key.includes(":") ? r[`${key}:shown`] : String(r[key]) }))));
      table.replaceChildren(head, ...body);
    };
    state.sort = { col: "name", asc: true };
    draw();
    return table;
  }

  // ---------- clip list ----------
  function matches(c, f) {
    if (f.class && className(c.class) !== f.class) return false;
    if (f.group && c.group !== f.group) return false;
    if (f.split && c.split !== f.split) return false;
    if (f.error) {
      const m = f.method || methods[0];
      const errs = c.errors[m];
      if (!errs) return false;
      if (f.error === "correct") { if (errs.length) return false; }
      else if (!errs.includes(D.error_types.indexOf(f.error))) return false;
    }
    if (f.q) {
      const q = f.q.toLowerCase();
      if (!c.id.toLowerCase().includes(q) && !className(c.class).toLowerCase().includes(q)) return false;
    }
    return true;
  }
  function applyFilters(f) {
    state.filters = f;
    state.filtered = D.clips.filter((c) => matches(c, f)).map((c) => c.id);
    return state.filtered;
  }
  function select(id, label, options, value) {
    const s = el("select", { id });
    for (const [v, t] of options) {
      const o = el("option", { value: v, text: t });
      if (v === value) o.selected = true;
      s.append(o);
    }
    return el("label", {}, label + " ", s);
  }
  function clipList(params) {
    const f = {};
    for (const k of ["class", "group", "split", "method", "error", "q"]) f[k] = params.get(k) || "";
    const used = [...new Set(D.clips.map((c) => c.class))].sort((a, b) => className(a).localeCompare(className(b)));
    const groups = [...new Set(D.clips.map((c) => c.group))].sort();
    const controls = el("div", { class: "filters" },
      select("f-class", "class", [["", "all"], ...used.map((i) => [className(i), className(i)])], f.class),
      select("f-group", "group", [["", "all"], ...groups.map((g) => [g, g])], f.group),
      select("f-split", "seen/unseen", [["", "all"], ["seen", "seen"], ["unseen", "unseen"]], f.split),
      select("f-method", "method", methods.map((m) => [m, m]), f.method || methods[0] || ""),
      select("f-error", "error", [["", "any"], ["correct", "none (right on every second)"],
        ...D.error_types.map((e) => [e, e])], f.error),
      el("label", {}, "search ", el("input", { id: "f-q", type: "search", value: f.q, placeholder: "clip id or class" })),
      el("span", {}, el("span", { id: "count" }), " clips"));
    // Column headers (click: sort by that column; again: the other way).
    const sortKeys = { id: (c) => c.id, class: (c) => className(c.class), split: (c) => c.split };
    for (const mm of methods) sortKeys[`avg:${mm}`] = (c) => avg(c.scores[mm]);
    const header = el("div", { class: "row header", id: "list-header" }, el("span", { class: "thumbhead", text: "" }));
    const heads = [["id", "clip", "id"], ["class", "class", "cls"], ["split", "seen/unseen", "split"],
                   ...methods.map((mm) => [`avg:${mm}`, `${mm} avg %`, "fig"])];
    for (const [key, title, cls] of heads) header.append(el("span", {
      class: cls + " sortable", "data-col": key, title: `sort by ${title}`, text: title,
      onclick: () => { state.listSort = { col: key, asc: state.listSort.col === key ? !state.listSort.asc : true };
                       update(false); } }));
    header.append(el("span", { class: "errors", text: `error types (${f.method || methods[0] || "–"})`,
                               title: "the kinds of error the method makes on the clip (see the overview)" }));
    const list = el("div", { id: "list" });
    const spacer = el("div", { style: "height:0" });
    list.append(spacer);
    view.replaceChildren(controls, header, list);
    const read = () => ({
      class: document.getElementById("f-class").value, group: document.getElementById("f-group").value,
      split: document.getElementById("f-split").value, method: document.getElementById("f-method").value,
      error: document.getElementById("f-error").value, q: document.getElementById("f-q").value.trim() });
    let ids = [];
    const render = () => {
      const top = list.scrollTop, h = list.clientHeight || 600;
      const first = Math.max(0, Math.floor(top / ROW_H) - 5), last = Math.min(ids.length, Math.ceil((top + h) / ROW_H) + 5);
      const m = state.filters.method || methods[0];
      const rows = [];
      for (let i = first; i < last; i++) {
        const c = D.clips[byId.get(ids[i])];
        const thumb = c.thumb ? el("img", { src: c.thumb, alt: "", loading: "lazy" }) : el("div", { class: "nothumb" });
        const figs = methods.map((mm) => el("span", { class: "fig", title: `${mm} avg`, text: pct(avg(c.scores[mm])) }));
        const badges = (c.errors[m] || []).map((e) => el("span", { class: "badge", text: D.error_types[e] }));
        const row = el("div", { class: "row", "data-id": c.id, style: `top:${i * ROW_H}px` }, thumb,
          el("span", { class: "id", text: c.id }), el("span", { class: "cls", text: className(c.class) }),
          el("span", { class: "split", text: c.split }), ...figs, el("span", { class: "errors" }, ...badges));
        row.addEventListener("click", () => { location.hash = `#/clip/${encodeURIComponent(c.id)}${filterQuery(state.filters)}`; });
        rows.push(row);
      }
      spacer.style.height = `${ids.length * ROW_H}px`;
      list.replaceChildren(spacer, ...rows);
    };
    const update = (push) => {
      const nf = read();
      ids = applyFilters(nf);
      const { col, asc } = state.listSort;
      if (sortKeys[col]) {
        const key = sortKeys[col];
        ids = ids.map((id) => D.clips[byId.get(id)]).sort((a, b) => {
          const x = key(a), y = key(b);
          const d = (x === null) - (y === null) || (typeof x === "number" ? x - y : String(x).localeCompare(String(y)));
          return asc ? d : -d;
        }).map((c) => c.id);
        state.filtered = ids;
      }
      for (const h of header.querySelectorAll("[data-col]"))
        h.className = h.className.replace(/ sorted( asc)?/, "") + (h.dataset.col === col ? " sorted" + (asc ? " asc" : "") : "");
      document.getElementById("count").textContent = `${ids.length} of ${D.clips.length}`;
      const target = `#/clips${filterQuery(nf)}`;
      if (push && location.hash !== target) history.replaceState(null, "", target);
      list.scrollTop = 0;
      render();
    };
    controls.addEventListener("change", () => update(true));
    document.getElementById("f-q").addEventListener("input", () => update(true));
    list.addEventListener("scroll", () => requestAnimationFrame(render));
    update(false);
  }

  // ---------- clip view ----------
  function stripRow(name, seconds, title) {
    const strip = el("div", { class: "strip", "data-source": name });
    seconds.forEach((v, k) => {
      const cell = el("div", { class: "cell", "data-second": String(k), title: `${title || name}, second ${k}` });
      if (v === -1) { cell.classList.add("bg"); cell.textContent = ""; }
      else if (v === -2) { cell.classList.add("unassigned"); cell.textContent = "?"; }
      else { cell.style.background = color(v); cell.textContent = className(v); }
      strip.append(cell);
    });
    strip.append(el("div", { class: "playhead" }));
    return el("div", { class: "strip-row" }, el("div", { class: "strip-name", text: title || name, title: title || name }), strip);
  }
  const fromLabels = (labels, cls) => [...labels].map((b) => (b === "1" ? cls : -1));

  function clipView(id, params) {
    const i = byId.get(id);
    if (i === undefined) { view.replaceChildren(el("p", { text: `No clip ${id} in this site.` })); return; }
    const c = D.clips[i];
    const f = {};
    for (const k of ["class", "group", "split", "method", "error", "q"]) f[k] = params.get(k) || "";
    const filtered = applyFilters(f);
    const order = filtered.includes(id) ? filtered : D.clips.map((x) => x.id);  // j / k walk the list it came from
    let player, frameImg = null;
    if (c.video) {
      player = el("video", { id: "player", src: c.video, controls: "", preload: "auto" });
    } else if (c.frames) {
      frameImg = el("img", { id: "frame", src: c.frames[0], alt: "frame" });
      player = el("audio", { id: "player", src: c.audio || "", controls: "", preload: "auto" });
    } else {
      player = el("p", { text: "No media for this clip in the site (built with --media none, or the data folder holds neither the clip nor its segments)." });
    }
    const media0 = Boolean(c.video || c.frames);
    const strips = el("div", { class: "strips" },
      el("div", { class: "axis" }, ...Array.from({ length: 10 }, (_, k) => el("span", { text: `${k}s` }))),
      stripRow("truth", fromLabels(c.labels, c.class), "ground truth"));
    for (const r of D.rounds) {
      const a = c.rounds && c.rounds[r.key];
      if (a) strips.append(stripRow(`round-${r.key}`, fromLabels(a.labels, c.class), `${r.title} (${a.annotator})`));
    }
    for (const m of methods) if (c.pred[m]) strips.append(stripRow(`method-${m}`, c.pred[m], m));
    // The colours of the strips, named in full (a cell is too narrow for a long class name).
    const shown = new Set([c.class]);
    for (const m of methods) for (const v of c.pred[m] || []) shown.add(v);
    const legend = el("div", { class: "legend", id: "colour-legend" });
    for (const v of [...shown].sort((a, b) => (a < 0) - (b < 0) || (a < 0 ? a - b : className(a).localeCompare(className(b))))) {
      const swatch = el("span", { class: "swatch" + (v === -1 ? " bg" : v === -2 ? " unassigned" : "") });
      if (v >= 0) swatch.style.background = color(v);
      legend.append(el("span", { class: "key", "data-class": v >= 0 ? className(v) : v === -1 ? "background" : "unassigned" },
                       swatch, v >= 0 ? className(v) : v === -1 ? "background" : "unassigned (? : in no row)"));
    }
    strips.append(legend);
    const youtube = c.id.slice(0, 11), start = Number((c.id.match(/_(\d{6})$/) || [0, "0"])[1]);
    const info = el("div", {},
      el("h2", { text: c.id }),
      el("p", { text: `${className(c.class)} · ${c.group} · ${c.split}` + (c.provenance ? ` · provenance ${c.provenance}` : "") }),
      ...(c.provenance ? [el("p", { class: "legend", id: "provenance-legend",
        text: "provenance, one letter a second: a = both rounds agreed, j = the adjudicator decided, " +
              "p = a policy decided (reconcile --policy), c = corrected later (annotate corrections)" })] : []),
      ...methods.filter((m) => c.scores[m]).map((m) => el("p", {},
        `${m}: Acc ${pct(c.scores[m][0])}, Seg ${pct(c.scores[m][1])}, Eve ${pct(c.scores[m][2])} `,
        ...(c.errors[m] || []).map((e) => el("span", { class: "badge", text: D.error_types[e] })))),
      el("p", { class: "help", text: (media0 ? "Click a second to play from it · space: play/pause · " : "") +
                                         "j / k: next / previous clip" }),
      el("p", {}, el("a", { id: "source-link", href: `https://www.youtube.com/watch?v=${youtube}&t=${start}s`,
                             target: "_blank", rel: "noopener", text: "source video on YouTube" }),
        ` (from ${start} s)`),
      el("p", {}, el("a", { href: `#/clips${filterQuery(f)}`, text: "← back to the list" }),
        ` (${order.indexOf(id) + 1} of ${order.length})`));
    view.replaceChildren(el("div", { class: "clipview" }, el("div", { class: "player" }, ...(frameImg ? [frameImg] : []), player, strips), info));
    const heads = [...view.querySelectorAll(".playhead")];
    const media = player.tagName === "VIDEO" || player.tagName === "AUDIO" ? player : null;
    const move = () => {
      const t = media ? media.currentTime || 0 : 0;
      for (const h of heads) h.style.left = `${Math.min(100, (t / 10) * 100)}%`;
      if (frameImg) frameImg.src = c.frames[Math.min(9, Math.floor(t))];
      if (media && !media.paused) requestAnimationFrame(move);
    };
    if (media) {
      media.addEventListener("timeupdate", move);
      media.addEventListener("play", () => requestAnimationFrame(move));
      media.addEventListener("seeked", move);
    }
    view.querySelectorAll(".strip").forEach((s) => s.addEventListener("click", (ev) => {
      const cell = ev.target.closest(".cell");
      if (!cell || !media) return;
      media.currentTime = Number(cell.dataset.second) + 0.05;
      move();
    }));
    move();
    state.keys = (ev) => {
      if (ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT") return;
      // The clip of the URL now, not of this view: a second key press may come before the
      // hashchange of the first has redrawn the page.
      const at = order.indexOf(parseHash().path.slice(5));
      if (ev.key === "j" && at < order.length - 1) location.hash = `#/clip/${encodeURIComponent(order[at + 1])}${filterQuery(f)}`;
      else if (ev.key === "k" && at > 0) location.hash = `#/clip/${encodeURIComponent(order[at - 1])}${filterQuery(f)}`;
      else if (ev.key === " " && media) { ev.preventDefault(); if (media.paused) media.play(); else media.pause(); }
    };
  }

  // ---------- annotation view ----------
  function annotationView() {
    const A = D.annotation;
    if (!A) { view.replaceChildren(el("p", { text: "This site was built without annotation rounds (--data holds none)." })); return; }
    const parts = [];
    if (A.agreement) {
      const fig = (title, id, rows) => {
        const t = el("table", { id }, el("tr", {}, el("th", { text: title }), el("th", { text: "clips" }),
          el("th", { text: "agreement (%)" }), el("th", { text: "Cohen's kappa" })));
        for (const [k, v] of rows) t.append(el("tr", {}, el("td", { text: k }), el("td", { text: String(v.clips) }),
          el("td", { text: v.percent_agreement ?? "–" }), el("td", { text: v.kappa ?? "–" })));
        return t;
      };
      parts.push(el("h2", { text: "Agreement, round 1 vs round 2 (per second)" }),
        fig("", "agree-overall", [["overall", A.agreement.overall]]),
        el("h2", { text: "Per annotator pair" }), fig("pair", "agree-pair", Object.entries(A.agreement.per_pair || {})),
        el("h2", { text: "Per class" }), fig("class", "agree-class", Object.entries(A.agreement.per_class || {})));
    }
    const shownDisputes = A.disputed.filter((d) => byId.has(d.id));  // the split's clips only
    const outside = A.disputed.length - shownDisputes.length;
    parts.push(el("h2", { text: `Disputed clips (${shownDisputes.length})` }));
    if (outside) parts.push(el("p", { text: `${outside} more disputed clip(s) are outside the clips of this site.` }));
    const box = el("div", { id: "disputed" });
    for (const d of shownDisputes) {
      const i = byId.get(d.id);
      const c = D.clips[i];
      const rows = D.rounds.filter((r) => c.rounds && c.rounds[r.key]).map((r) =>
        stripRow(`round-${r.key}`, fromLabels(c.rounds[r.key].labels, c.class), `${r.title} (${c.rounds[r.key].annotator})`));
      box.append(el("h3", {}, el("a", { href: `#/clip/${encodeURIComponent(c.id)}`, text: c.id }),
        ` · ${className(c.class)} · disputed seconds ${d.seconds.join(", ")}`), ...rows);
    }
    parts.push(box);
    view.replaceChildren(...parts);
  }

  function route() {
    state.keys = null;
    const { path, params } = parseHash();
    const name = path.startsWith("clip/") ? "clip" : path || "overview";
    for (const a of document.querySelectorAll("[data-nav]"))
      a.classList.toggle("active", a.dataset.nav === (name === "clip" ? "clips" : name));
    if (path.startsWith("clip/")) clipView(path.slice(5), params);
    else if (path === "clips") clipList(params);
    else if (path === "annotation") annotationView();
    else overview();
  }
  document.addEventListener("keydown", (ev) => { if (state.keys) state.keys(ev); });
  window.addEventListener("hashchange", route);
  document.getElementById("generated").textContent = `built ${D.generated} · ${D.clips.length} clips · ${methods.length} methods`;
  if (!D.annotation) document.getElementById("nav-annotation").style.display = "none";
  route();
})();
