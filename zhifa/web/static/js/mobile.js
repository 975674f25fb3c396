/* 我的指令 — the officer's phone view (usable at 390 px): his tasks, and one task with big buttons
 * for the next step: accept, set out (en route), arrive (on scene) — the last two send the
 * phone's position (navigator.geolocation; typed by hand when the phone gives none) — and the
 * feedback with photos from the phone's camera (<input type=file capture>), each uploaded first
 * to the evidence store (POST /api/v1/evidence) and named by its SHA-256 in the feedback.
 * The photo is sent as taken: the original file is the evidence, so it is not re-encoded.
 *
 * Data: GET /api/v1/tasks (a field officer sees the tasks he is assigned to), /api/v1/tasks/{id};
 * the dispatch stream says when one changed. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const D = window.ZhifaDispatch;
  const page = boot.page || {};
  const OPEN = new Set([...(page.open_states || []), "handled"]);
  const NEEDS_EVIDENCE = new Set(page.outcomes_needing_evidence || []);
  const $ = (id) => document.getElementById(id);
  const errorEl = $("page-error");
  const me = (boot.user || {}).username;

  function countdownNode(dueMs, testid) {
    const node = el("strong", { class: "countdown", dataset: { due: dueMs ?? "", testid: testid } });
    D.countdown(node, dueMs);
    return node;
  }
  function tickAll() {
    for (const node of document.querySelectorAll(".countdown[data-due]")) {
      D.countdown(node, node.dataset.due === "" ? null : Number(node.dataset.due));
    }
  }
  setInterval(tickAll, 1000);
  D.clock.onSync(tickAll);

  // ------------------------------------------------------------------ the list

  function card(x) {
    const next = D.nextDue(x);
    return el(
      "li",
      { class: "m-card", dataset: { taskId: x.id, testid: "m-task" } },
      el(
        "a",
        { href: `/m/tasks/${x.id}` },
        el("span", { class: "m-card-title" }, `#${x.id} ${x.title}`),
        el("span", { class: "m-card-line" }, D.stateBadge(x.state), " ", el("span", { class: "badge badge-muted" }, D.label("priority", x.priority))),
        el("span", { class: "m-card-line muted small" }, D.unitText(x.unit_name, x.unit)),
        next.stage ? el("span", { class: "m-card-line small" }, D.stageText(next.stage), " ", countdownNode(next.dueMs, "m-task-countdown")) : null
      )
    );
  }

  async function loadList() {
    const res = await api("/api/v1/tasks?per_page=200");
    if (!res.ok) {
      showError(errorEl, res.error);
      return;
    }
    showError(errorEl, "");
    const items = res.data.items || [];
    const open = items.filter((x) => OPEN.has(x.state));
    const done = items.filter((x) => !OPEN.has(x.state)).slice(0, 20);
    const due = (x) => D.nextDue(x).dueMs ?? Number.MAX_SAFE_INTEGER;
    open.sort((a, b) => due(a) - due(b) || b.id - a.id);
    $("m-list").replaceChildren(...open.map(card));
    $("m-empty").hidden = open.length > 0;
    $("m-finished").replaceChildren(...done.map(card));
    $("m-finished-box").hidden = done.length === 0;
    $("m-list").dataset.ready = "1";
  }

  // ------------------------------------------------------------------ one task

  let task = null;
  let fix = null; // the phone's last position {lon, lat, accuracy}
  let busy = false;
  let mini = null;

  const STEP = {
    accepted: { label: () => t("Accept the task"), position: false },
    en_route: { label: () => t("Set out (en route)"), position: true },
    on_scene: { label: () => t("Arrived on scene"), position: true },
  };

  function showPos() {
    const node = $("m-pos");
    if (fix) {
      node.textContent = t("{lon}, {lat} (±{accuracy} m)", {
        lon: fix.lon.toFixed(6), lat: fix.lat.toFixed(6), accuracy: Math.round(fix.accuracy || 0),
      });
      node.dataset.state = "fix";
    }
  }

  async function locate() {
    const node = $("m-pos");
    node.textContent = t("Locating…");
    node.dataset.state = "locating";
    try {
      fix = await D.locate(10000);
      showPos();
      return fix;
    } catch (e) {
      fix = null;
      node.textContent = t("No position from the phone: {reason}", { reason: e.message });
      node.dataset.state = "none";
      $("m-manual").hidden = false;
      return null;
    }
  }

  /** The position to send: the phone's, else the one typed; null (and said so) when neither. */
  async function position() {
    const manual = !$("m-manual").hidden;
    if (manual) {
      const lon = parseFloat($("m-lon").value.replace(",", "."));
      const lat = parseFloat($("m-lat").value.replace(",", "."));
      if (isFinite(lon) && isFinite(lat)) return { lon: lon, lat: lat, manual: true };
    }
    const got = await locate();
    if (got) return got;
    return null;
  }

  function facts(x) {
    const pairs = [
      [t("Kind"), D.label("kind", x.kind)],
      [t("Priority"), D.label("priority", x.priority)],
      [t("Unit"), D.unitText(x.unit_name, x.unit)],
      [t("Dispatched at (Beijing)"), fmtTime(x.dispatched_at)],
      [t("Accept by"), fmtTime(x.accept_due)],
      [t("Arrive by"), fmtTime(x.arrive_due)],
      [t("Feedback by"), fmtTime(x.feedback_due)],
      [t("Instructions"), x.instructions || "—"],
      [t("Location"), typeof x.lon === "number" ? `${x.lon.toFixed(6)}, ${x.lat.toFixed(6)}` : t("No location")],
      [t("Officers"), (x.officers || []).map((o) => `${o.name} (${o.code})`).join("、") || t("None assigned yet")],
    ];
    if (x.lead) pairs.push([t("Lead"), el("a", { href: window.ZhifaMon.leadUrl(x.lead) }, `#${x.lead}`)]);
    return pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]);
  }

  function timeline(x) {
    return (x.transitions || []).map((r) =>
      el(
        "li",
        { dataset: { testid: "m-step", to: r.to } },
        el("time", { datetime: r.at, class: "small muted" }, fmtTime(r.at)),
        " ",
        D.stateBadge(r.to),
        el("span", { class: "small" }, ` ${r.actor}`),
        r.reason ? el("div", { class: "small muted" }, r.reason) : null,
        typeof r.lon === "number" ? el("div", { class: "small muted" }, `${r.lon.toFixed(6)}, ${r.lat.toFixed(6)}`) : null
      )
    );
  }

  function renderTask(x) {
    task = x;
    $("m-title").textContent = `#${x.id} ${x.title}`;
    $("m-badges").replaceChildren(D.stateBadge(x.state), " ", el("span", { class: "badge badge-muted" }, D.label("priority", x.priority)));
    const next = D.nextDue(x);
    $("m-stage").textContent = D.stageText(next.stage);
    const cd = $("m-countdown");
    cd.dataset.due = next.dueMs ?? "";
    D.countdown(cd, next.dueMs);
    $("m-facts").replaceChildren(...facts(x));
    $("m-timeline").replaceChildren(...timeline(x));

    const steps = D.allowed(x.state, "unit").filter((to) => STEP[to]);
    $("m-actions").replaceChildren(
      ...steps.map((to) =>
        el("button", { type: "button", class: "btn btn-primary m-btn", dataset: { testid: `m-do-${to}` }, onclick: () => act(to) }, STEP[to].label())
      )
    );
    const note = $("m-actions-note");
    if (x.state === "on_scene") note.textContent = t("On scene: send the feedback below when done.");
    else if (x.state === "handled") note.textContent = t("Feedback sent; the command center reviews it.");
    else if (!steps.length) note.textContent = t("Nothing to do on this task.");
    else if (steps.includes("en_route") && !(x.officers || []).length) note.textContent = t("The unit leader must assign officers before you set out.");
    else note.textContent = "";
    $("m-feedback-card").hidden = x.state !== "on_scene";
    $("m-report").hidden = !(boot.user.roles || []).includes("officer");
    $("m-detail").hidden = false;
    $("m-detail").dataset.state = x.state;
    drawMini(x);
  }

  async function drawMini(x) {
    const box = $("m-map");
    if (typeof x.lon !== "number") {
      box.hidden = true;
      return;
    }
    if (!mini) {
      mini = await window.ZhifaMiniMap.create(box, { zoom: 13 });
      const at = mini.toLatLng(x.lon, x.lat);
      L.circleMarker(at, { radius: 9, color: "#fff", weight: 2, fillColor: "#dc2626", fillOpacity: 0.95 }).addTo(mini.map);
      mini.map.setView(at, 14);
    }
  }

  async function loadTask() {
    const res = await api(`/api/v1/tasks/${page.task_id}`);
    if (!res.ok) {
      showError(errorEl, res.error);
      $("m-detail").hidden = true;
      return;
    }
    showError(errorEl, "");
    renderTask(res.data);
  }

  async function act(to) {
    if (busy || !task) return;
    const errBox = $("m-action-error");
    showError(errBox, "");
    busy = true;
    try {
      const body = { to: to };
      if (STEP[to].position) {
        const pos = await position();
        if (!pos) {
          showError(errBox, t("A position is needed for this step: allow location, or type it in below."));
          $("m-manual").hidden = false;
          return;
        }
        body.lon = pos.lon;
        body.lat = pos.lat;
      }
      const res = await api(`/api/v1/tasks/${task.id}/transition`, { json: body });
      if (!res.ok) {
        showError(errBox, res.error);
        return;
      }
      flashDone(t("Done: {state}.", { state: D.label("state", res.data.state) }));
      renderTask(res.data);
    } finally {
      busy = false;
    }
  }

  function flashDone(text) {
    const box = $("m-done");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(flashDone.timer);
    flashDone.timer = setTimeout(() => (box.hidden = true), 6000);
  }

  // ------------------------------------------------------------------ feedback with photos

  function outcomeChanged() {
    const v = $("fb-outcome").value;
    $("fb-case-row").hidden = v !== "case_opened";
    $("fb-referred-row").hidden = v !== "referred";
  }

  function showThumbs() {
    const files = Array.from($("fb-photos").files || []);
    $("fb-thumbs").replaceChildren(
      ...files.map((f) => {
        const url = URL.createObjectURL(f);
        const img = el("img", { src: url, alt: f.name });
        img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
        return el("li", { dataset: { testid: "fb-thumb" } }, el("span", { class: "thumb" }, img));
      })
    );
  }

  async function upload(file) {
    const form = new FormData();
    form.append("file", file, file.name || "photo.jpg");
    let res;
    try {
      res = await fetch("/api/v1/evidence", { method: "POST", body: form, credentials: "same-origin" });
    } catch (e) {
      throw new Error(t("Network error; please check the connection."));
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) throw new Error(window.Zhifa.errorMessage(res.status, data));
    return data.sha256;
  }

  async function sendFeedback(e) {
    e.preventDefault();
    if (busy || !task) return;
    const errBox = $("fb-error");
    showError(errBox, "");
    const outcome = $("fb-outcome").value;
    const notes = $("fb-notes").value.trim();
    const files = Array.from($("fb-photos").files || []);
    if (!notes) {
      showError(errBox, t("Describe what was found and done."));
      return;
    }
    if (NEEDS_EVIDENCE.has(outcome) && !files.length) {
      showError(errBox, t("This outcome needs at least one photo (行政处罚法 第四十七条)."));
      return;
    }
    busy = true;
    $("fb-submit").disabled = true;
    const progress = $("fb-progress");
    try {
      const photos = [];
      for (let i = 0; i < files.length; i++) {
        progress.textContent = t("Uploading photo {n} of {count}…", { n: i + 1, count: files.length });
        photos.push(await upload(files[i]));
      }
      progress.textContent = "";
      const body = { outcome: outcome, notes: notes, photos: photos };
      if (outcome === "case_opened") body.case_ref = $("fb-case").value.trim();
      if (outcome === "referred") body.referred_to = $("fb-referred").value.trim();
      if (fix) {
        body.lon = fix.lon;
        body.lat = fix.lat;
      }
      const res = await api(`/api/v1/tasks/${task.id}/feedback`, { json: body });
      if (!res.ok) {
        showError(errBox, res.error);
        return;
      }
      $("m-feedback").reset();
      $("fb-thumbs").replaceChildren();
      flashDone(t("Feedback sent with {count} photo(s).", { count: photos.length }));
      renderTask(res.data);
    } catch (err) {
      progress.textContent = "";
      showError(errBox, err.message);
    } finally {
      busy = false;
      $("fb-submit").disabled = false;
    }
  }

  async function reportPosition() {
    const errBox = $("m-action-error");
    showError(errBox, "");
    const pos = await position();
    if (!pos) return;
    const res = await api(`/api/v1/officers/${encodeURIComponent(me)}/position`, {
      json: { lon: pos.lon, lat: pos.lat, accuracy_m: pos.accuracy || null },
    });
    if (!res.ok) showError(errBox, res.error);
    else flashDone(t("Position reported."));
  }

  // ------------------------------------------------------------------ start

  if (page.task_id) {
    const outcome = $("fb-outcome");
    outcome.replaceChildren(...(page.outcomes || []).map((o) => el("option", { value: o }, D.label("outcome", o))));
    outcome.addEventListener("change", outcomeChanged);
    outcomeChanged();
    $("fb-photos").addEventListener("change", showThumbs);
    $("m-feedback").addEventListener("submit", sendFeedback);
    $("m-locate").addEventListener("click", locate);
    $("m-report").addEventListener("click", reportPosition);
    loadTask();
    D.live.on("task", (x) => {
      if (x.id === page.task_id && !busy) loadTask();
    });
  } else {
    loadList();
    let timer = null;
    D.live.on("task", () => {
      clearTimeout(timer);
      timer = setTimeout(loadList, 300);
    });
  }
  D.live.connect(null, $("m-state"));
})();
