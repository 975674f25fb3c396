/* 指挥调度大屏 — the command-center wall.
 *
 * One request draws it (GET /api/v1/wall/snapshot: queue, tasks, devices, officers, KPIs,
 * notifications, the server's time and the stream cursor); then the dispatch stream keeps it
 * current without a reload. Tens of thousands of leads and tasks are drawn on canvas layers
 * (pointlayer.js); the lists show the most urgent rows. When the map and the queue are drawn the
 * page sets performance.mark("zhifa-wall-rendered") (benchmarks/wall_render.py reads it).
 *
 * Test hooks: window.zhifaWall = {map, layers, leads, tasks, openDispatch}. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const D = window.ZhifaDispatch;
  const page = boot.page || {};
  const QUEUE_MAX = 100;
  const TASKS_MAX = 100;
  const QUEUE_STATUSES = new Set(["new", "confirmed"]);
  const WALL_STATES = new Set([...(page.open_states || []), "handled"]);
  const SEV_RANK = { high: 0, normal: 1, low: 2 };
  const SEV_FILL = { high: "#dc2626", normal: "#f59e0b", low: "#a3a3a3" };
  const TASK_FILL = {
    dispatched: "#60a5fa", returned: "#60a5fa", accepted: "#2563eb", en_route: "#1d4ed8", on_scene: "#1e3a8a",
    handled: "#7c3aed",
  };
  const DEVICE_FILL = { active: "#475569", offline: "#d97706", disabled: "#cbd5e1" };

  const $ = (id) => document.getElementById(id);
  const mapEl = $("wall-map");
  const errorEl = $("page-error");
  const flashEl = $("wall-flash");
  const leads = new Map();
  const tasks = new Map();
  let units = {};
  let targets = { high: 10, normal: 30, low: 120 };
  let canDispatch = false;
  let mm = null;
  const layers = {};

  function table(block) {
    if (!block) return [];
    const cols = block.columns;
    return block.rows.map((r) => {
      const o = {};
      for (let i = 0; i < cols.length; i++) o[cols[i]] = r[i];
      return o;
    });
  }
  function unitLabel(code) {
    return D.unitText(units[code], code);
  }
  function latlng(lon, lat) {
    return typeof lon === "number" && typeof lat === "number" ? mm.toLatLng(lon, lat) : null;
  }
  function triageDue(l) {
    return l.created_ms + (targets[l.severity] || targets.normal) * 60000;
  }
  function taskOverdue(x) {
    return x.next_due_ms !== null && x.next_due_ms !== undefined && x.next_due_ms < D.clock.now();
  }
  function flash(text) {
    flashEl.textContent = text;
    flashEl.hidden = !text;
    clearTimeout(flash.timer);
    if (text) flash.timer = setTimeout(() => (flashEl.hidden = true), 8000);
  }

  // ------------------------------------------------------------------ the lists

  let renderQueued = false;
  function renderSoon() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      renderQueue();
      renderTasks();
    });
  }

  function cmpLead(a, b) {
    return (SEV_RANK[a.severity] ?? 1) - (SEV_RANK[b.severity] ?? 1) || a.created_ms - b.created_ms || a.id - b.id;
  }

  function queueRow(l) {
    const badges = [];
    if (l.severity !== "normal") badges.push(window.ZhifaMon.severityBadge(l.severity));
    if (l.hotline) badges.push(el("span", { class: "badge badge-muted" }, l.hotline));
    const reply = l.reply_due_ms
      ? el("span", { class: "small muted" }, t("Reply to caller"), " ", el("span", { class: "countdown", dataset: { due: l.reply_due_ms } }))
      : null;
    return el(
      "li",
      { class: `wall-row sev-${l.severity}`, dataset: { leadId: l.id, testid: "queue-row" } },
      el(
        "button",
        { type: "button", class: "wall-row-main", onclick: () => onLead(l.id) },
        el("span", { class: "wall-row-title" }, `#${l.id} `, D.kindTitle(l.kind)),
        el("strong", { class: "subject" }, D.subjectText(l.subject)),
        el("span", { class: "muted small" }, unitLabel(l.unit) || t("Not routed")),
        ...badges
      ),
      el("span", { class: "countdown", dataset: { due: triageDue(l), testid: "queue-countdown" } }),
      reply
    );
  }

  function renderQueue() {
    const items = [...leads.values()].sort(cmpLead);
    $("queue-count").textContent = t("{count} waiting", { count: items.length });
    $("queue").replaceChildren(...items.slice(0, QUEUE_MAX).map(queueRow));
    $("queue-empty").hidden = items.length > 0;
    const more = $("queue-more");
    more.hidden = items.length <= QUEUE_MAX;
    more.textContent = t("{count} more on the map.", { count: items.length - QUEUE_MAX });
    tickLists();
  }

  function cmpTask(a, b) {
    const now = D.clock.now();
    const rank = (x) => (taskOverdue(x) ? 0 : x.state === "handled" ? 1 : 2);
    const due = (x) => (x.next_due_ms === null || x.next_due_ms === undefined ? now : x.next_due_ms);
    return rank(a) - rank(b) || due(a) - due(b) || a.id - b.id;
  }

  function taskRow(x) {
    return el(
      "li",
      { class: "wall-row", dataset: { taskId: x.id, testid: "task-row" } },
      el(
        "a",
        { class: "wall-row-main", href: `/tasks/${x.id}` },
        el("span", { class: "wall-row-title" }, `#${x.id} `, x.title),
        D.stateBadge(x.state),
        el("span", { class: "muted small" }, unitLabel(x.unit), x.override ? ` · ${t("Reassigned")}` : "")
      ),
      el(
        "span",
        { class: "small" },
        el("span", { class: "muted" }, D.stageText(x.next_stage), " "),
        el("span", { class: "countdown", dataset: { due: x.next_due_ms ?? "", testid: "task-countdown" } })
      )
    );
  }

  function renderTasks() {
    const items = [...tasks.values()].sort(cmpTask);
    $("task-count").textContent = t("{count} open", { count: items.length });
    $("task-list").replaceChildren(...items.slice(0, TASKS_MAX).map(taskRow));
    $("task-empty").hidden = items.length > 0;
    const more = $("task-more");
    more.hidden = items.length <= TASKS_MAX;
    more.textContent = t("{count} more on the map.", { count: items.length - TASKS_MAX });
    tickLists();
  }

  function tickLists() {
    for (const node of document.querySelectorAll(".wall-list .countdown[data-due]")) {
      const due = node.dataset.due;
      D.countdown(node, due === "" ? null : Number(due));
    }
  }

  function renderKpis(k) {
    for (const key of ["leads_today", "queue", "dispatched_today", "overdue", "closed_today"]) {
      const node = document.querySelector(`[data-testid="kpi-${key}"]`);
      if (node) node.textContent = String(k[key]);
    }
    const share = document.querySelector('[data-testid="kpi-within_sla_share"]');
    share.textContent = k.within_sla_share === null ? "—" : `${Math.round(k.within_sla_share * 1000) / 10}%`;
    document.querySelector('[data-testid="kpi-within_sla"]').textContent = k.closed_today
      ? t("{n} of {d}", { n: k.within_sla, d: k.closed_today })
      : "";
    document.querySelector(".kpi-alert").classList.toggle("on", k.overdue > 0);
  }

  function noteRow(n) {
    const target = n.entity_type === "task" ? `/tasks/${n.entity_id}` : null;
    return el(
      "li",
      { class: `wall-row note-${n.kind}`, dataset: { noteId: n.id, kind: n.kind, testid: "note-row" } },
      el(
        "div",
        { class: "wall-row-main" },
        el("time", { datetime: n.created_at, class: "small muted" }, fmtTime(n.created_at)),
        el("span", { class: n.kind === "escalation" ? "badge badge-warn" : "badge" }, n.kind === "escalation" ? t("Escalation") : t("Reminder")),
        target ? el("a", { href: target }, n.title) : el("strong", {}, n.title)
      ),
      el("span", { class: "small" }, n.body)
    );
  }
  const notesSeen = new Set();
  function addNotes(list, atTop) {
    const box = $("notes");
    for (const n of list) {
      if (notesSeen.has(n.id)) continue;
      notesSeen.add(n.id);
      if (atTop) box.prepend(noteRow(n));
      else box.append(noteRow(n));
    }
    while (box.children.length > 50) box.lastElementChild.remove();
    $("notes-empty").hidden = box.children.length > 0;
  }

  // ------------------------------------------------------------------ the map

  function tip(...lines) {
    return el("div", { class: "map-tip" }, el("strong", {}, lines[0]), ...lines.slice(1).filter(Boolean).map((x) => el("div", {}, x)));
  }

  function makeLayers() {
    layers.devices = new window.ZhifaPointLayer({
      label: "devices",
      style: (d) => ({ fill: DEVICE_FILL[d.status] || DEVICE_FILL.disabled, color: "#fff", radius: 4, weight: 1 }),
      tooltip: (d) => tip(`${d.name} (${d.code})`, window.ZhifaMon.label(window.ZhifaMon.DEVICE_STATUS, d.status)),
    });
    layers.leads = new window.ZhifaPointLayer({
      label: "leads",
      style: (l) => ({
        fill: SEV_FILL[l.severity] || SEV_FILL.normal, color: "#fff", radius: 5, weight: 1,
        ring: triageDue(l) < D.clock.now() ? "#7f1d1d" : "",
      }),
      tooltip: (l) => tip(`#${l.id} ${D.kindTitle(l.kind)}`, D.subjectText(l.subject), unitLabel(l.unit)),
    });
    layers.tasks = new window.ZhifaPointLayer({
      label: "tasks",
      style: (x) => ({
        fill: TASK_FILL[x.state] || TASK_FILL.dispatched, color: "#fff", radius: 6, weight: 1.5,
        ring: taskOverdue(x) ? "#dc2626" : "", z: 1,
      }),
      tooltip: (x) => tip(`#${x.id} ${x.title}`, D.label("state", x.state), unitLabel(x.unit)),
    });
    layers.officers = new window.ZhifaPointLayer({
      label: "officers",
      style: (o) => ({ fill: o.busy ? "#166534" : "#22c55e", color: "#fff", radius: 6, weight: 2, z: 2 }),
      tooltip: (o) => tip(`${o.name} (${o.code})`, unitLabel(o.unit), o.busy ? t("Busy on a task") : t("Available")),
    });
    for (const name of ["devices", "leads", "tasks", "officers"]) layers[name].addTo(mm.map);
    L.control
      .layers(null, {
        [t("Devices")]: layers.devices, [t("Leads")]: layers.leads, [t("Tasks")]: layers.tasks, [t("Officers")]: layers.officers,
      }, { collapsed: true })
      .addTo(mm.map);
    layers.leads.on("pointclick", (e) => leadPopup(e.point.data, e.latlng));
    layers.tasks.on("pointclick", (e) => taskPopup(e.point.data, e.latlng));
  }

  function leadPopup(l, at) {
    const box = el(
      "div",
      { class: "map-pop", dataset: { testid: "lead-popup" } },
      el("strong", {}, `#${l.id} ${D.kindTitle(l.kind)}`),
      el("div", {}, D.subjectText(l.subject)),
      el("div", { class: "muted" }, unitLabel(l.unit) || t("Not routed")),
      el(
        "div",
        { class: "btn-group" },
        canDispatch ? el("button", { type: "button", class: "btn btn-sm btn-primary", onclick: () => openDispatch(l.id) }, t("Dispatch")) : null,
        el("a", { class: "btn btn-sm", href: window.ZhifaMon.leadUrl(l.id) }, t("Lead page"))
      )
    );
    L.popup().setLatLng(at).setContent(box).openOn(mm.map);
  }
  function taskPopup(x, at) {
    const box = el(
      "div",
      { class: "map-pop", dataset: { testid: "task-popup" } },
      el("strong", {}, `#${x.id} ${x.title}`),
      el("div", {}, D.stateBadge(x.state), " ", unitLabel(x.unit)),
      el("div", {}, D.stageText(x.next_stage), " ", el("span", { class: "countdown", dataset: { due: x.next_due_ms ?? "" } })),
      el("a", { class: "btn btn-sm", href: `/tasks/${x.id}` }, t("Task page"))
    );
    D.countdown(box.querySelector(".countdown"), x.next_due_ms);
    L.popup().setLatLng(at).setContent(box).openOn(mm.map);
  }

  function setLead(l) {
    if (QUEUE_STATUSES.has(l.status)) {
      leads.set(l.id, l);
      layers.leads.upsert(l.id, latlng(l.lon, l.lat), l);
    } else {
      leads.delete(l.id);
      layers.leads.remove(l.id);
    }
  }
  function setTask(x) {
    if (WALL_STATES.has(x.state)) {
      tasks.set(x.id, x);
      layers.tasks.upsert(x.id, latlng(x.lon, x.lat), x);
    } else {
      tasks.delete(x.id);
      layers.tasks.remove(x.id);
    }
  }

  // Deadlines pass while nobody writes anything: restyle when one does.
  let overdueKey = "";
  function tick() {
    $("wall-clock").textContent = fmtTime(new Date(D.clock.now()));
    tickLists();
    if (!mm) return;
    const now = D.clock.now();
    // Which rows are past their deadline, summarised (count and id sum): redraw when it changes.
    let n = 0;
    let sum = 0;
    for (const x of tasks.values()) {
      if (x.next_due_ms !== null && x.next_due_ms < now) {
        n += 1;
        sum += x.id;
      }
    }
    const m = n;
    for (const l of leads.values()) {
      if (triageDue(l) < now) {
        n += 1;
        sum += l.id * 3;
      }
    }
    const key = `${m}:${n}:${sum}`;
    if (key !== overdueKey) {
      overdueKey = key;
      layers.tasks.refresh();
      layers.leads.refresh();
      renderSoon();
    }
  }

  // ------------------------------------------------------------------ the dispatch dialog

  const dlg = $("dispatch-dialog");
  const dd = {
    lead: null, preview: null,
    unit: $("dd-unit"), kind: $("dd-kind"), priority: $("dd-priority"), reason: $("dd-override-reason"),
    usePlan: $("dd-use-plan"), error: $("dd-error"), submit: $("dd-submit"),
  };

  function fillSelect(select, values, labelOf, selected) {
    select.replaceChildren(...values.map((v) => el("option", { value: v, selected: v === selected }, labelOf(v))));
  }

  function onLead(id) {
    if (canDispatch) openDispatch(id);
    else location.href = window.ZhifaMon.leadUrl(id);
  }

  function suggestionRow(s) {
    return el(
      "li",
      { dataset: { testid: "dd-suggestion", officer: s.code } },
      el("strong", {}, `${s.name} (${s.code})`),
      el("span", { class: "muted small" }, unitLabel(s.unit)),
      el("span", { class: "badge", dataset: { testid: "dd-distance" } }, D.distanceText(s.distance_m)),
      el("span", { class: "muted small" }, t("position {time}", { time: fmtTime(s.position_at) }))
    );
  }

  async function loadSuggestions() {
    const list = $("dd-suggestions");
    const note = $("dd-suggest-note");
    list.replaceChildren();
    note.textContent = "";
    const l = dd.lead;
    const unit = dd.unit.value;
    const plan = dd.preview && dd.preview.plan;
    if (plan && dd.usePlan.checked && unit === dd.preview.routed_unit) {
      const found = plan.steps.flatMap((s) => s.suggestions || []);
      list.replaceChildren(...found.map(suggestionRow));
      note.textContent = found.length ? "" : t("No available officer with a recent position.");
      return;
    }
    if (!unit || typeof l.lon !== "number") {
      note.textContent = t("The lead has no location: no distances.");
      return;
    }
    const q = new URLSearchParams({ unit: unit, lon: l.lon, lat: l.lat, limit: 5 });
    const res = await api(`/api/v1/dispatch/suggestions?${q}`);
    if (dd.unit.value !== unit) return; // changed meanwhile
    if (!res.ok) {
      note.textContent = res.error;
      return;
    }
    list.replaceChildren(...res.data.suggestions.map(suggestionRow));
    const waiting = res.data.without_recent_position.length;
    note.textContent = res.data.suggestions.length
      ? waiting ? t("{count} more on duty without a recent position.", { count: waiting }) : ""
      : t("No available officer with a recent position.");
  }

  function overrideChanged() {
    const routed = dd.preview ? dd.preview.routed_unit : null;
    const override = !!dd.unit.value && dd.unit.value !== routed;
    $("dd-override-row").hidden = !override;
  }

  async function openDispatch(id) {
    const l = leads.get(id);
    if (!l) return;
    mm.map.closePopup();
    dd.lead = l;
    dd.preview = null;
    showError(dd.error, "");
    dd.reason.value = "";
    $("dd-task-title").value = "";
    $("dd-instructions").value = "";
    $("dd-lead").textContent = `#${l.id} ${D.kindTitle(l.kind)} · ${D.subjectText(l.subject)}`;
    $("dd-lead-link").href = window.ZhifaMon.leadUrl(l.id);
    for (const k of ["dd-routed-unit", "dd-routing-reason", "dd-plan"]) $(k).textContent = t("Loading…");
    $("dd-suggestions").replaceChildren();
    dd.submit.disabled = true;
    if (!dlg.open) dlg.showModal();
    const res = await api(`/api/v1/leads/${id}/dispatch-preview`);
    if (dd.lead !== l) return;
    if (!res.ok) {
      showError(dd.error, res.error);
      return;
    }
    const p = (dd.preview = res.data);
    $("dd-routed-unit").textContent = p.routed_unit ? unitLabel(p.routed_unit) : t("Not routed");
    $("dd-routing-reason").textContent = p.routing_reason || "";
    $("dd-plan").textContent = p.plan ? `${p.plan.name}（${p.plan.steps.length}）` : t("No matching plan");
    $("dd-use-plan-row").hidden = !p.plan;
    dd.usePlan.checked = !!p.plan;
    const codes = Object.keys(units).sort();
    fillSelect(dd.unit, ["", ...codes], (c) => (c ? unitLabel(c) : t("Choose a unit")), p.routed_unit || "");
    fillSelect(dd.kind, page.task_kinds || [], (k) => D.label("kind", k), l.kind === "complaint" ? "complaint" : "inspection");
    fillSelect(dd.priority, page.priorities || [], (k) => D.label("priority", k), p.priority);
    overrideChanged();
    dd.submit.disabled = false;
    loadSuggestions();
  }

  dd.unit.addEventListener("change", () => {
    overrideChanged();
    loadSuggestions();
  });
  dd.usePlan.addEventListener("change", loadSuggestions);
  $("dd-close").addEventListener("click", () => dlg.close());

  $("dd-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const l = dd.lead;
    const p = dd.preview;
    if (!l || !p) return;
    const unit = dd.unit.value;
    const reason = dd.reason.value.trim();
    if (!unit) {
      showError(dd.error, t("Choose the unit to send it to."));
      return;
    }
    const body = { kind: dd.kind.value, priority: dd.priority.value };
    if (unit !== p.routed_unit) {
      if (!reason) {
        showError(dd.error, t("Sending it to another unit than routing named needs a reason."));
        dd.reason.focus();
        return;
      }
      body.unit = unit;
      body.override_reason = reason;
    }
    const title = $("dd-task-title").value.trim();
    const instructions = $("dd-instructions").value.trim();
    if (title) body.title = title;
    if (instructions) body.instructions = instructions;
    if (p.plan && dd.usePlan.checked) body.plan_id = p.plan.id;
    dd.submit.disabled = true;
    const res = await api(`/api/v1/leads/${l.id}/dispatch`, { json: body });
    dd.submit.disabled = false;
    if (!res.ok) {
      showError(dd.error, res.error);
      return;
    }
    dlg.close();
    setLead(Object.assign({}, l, { status: "dispatched" })); // the stream confirms it, with the tasks
    renderSoon();
    flash(t("Lead #{lead} dispatched: task {tasks}.", { lead: l.id, tasks: res.data.tasks.map((x) => `#${x.id}`).join(", ") }));
  });

  // ------------------------------------------------------------------ start

  async function start() {
    const [snap, map] = await Promise.all([
      api("/api/v1/wall/snapshot"),
      window.ZhifaMiniMap.create(mapEl, { zoom: 10, map: { preferCanvas: true } }),
    ]);
    mm = map;
    if (!snap.ok) {
      showError(errorEl, snap.error);
      return;
    }
    const s = snap.data;
    D.clock.sync(s.now_ms);
    units = s.units || {};
    targets = s.triage_target_min || targets;
    canDispatch = !!s.can_dispatch;
    makeLayers();

    const point = (lon, lat, id, data) => ({ id: id, latlng: latlng(lon, lat), data: data });
    const withPlace = (p) => p.latlng;
    const leadRows = table(s.leads);
    const taskRows = table(s.tasks);
    leadRows.forEach((l) => leads.set(l.id, l));
    taskRows.forEach((x) => tasks.set(x.id, x));
    layers.leads.setPoints(leadRows.map((l) => point(l.lon, l.lat, l.id, l)).filter(withPlace));
    layers.tasks.setPoints(taskRows.map((x) => point(x.lon, x.lat, x.id, x)).filter(withPlace));
    layers.devices.setPoints(table(s.devices).map((d) => point(d.lon, d.lat, d.code, d)).filter(withPlace));
    layers.officers.setPoints(table(s.officers).map((o) => point(o.lon, o.lat, o.code, o)).filter(withPlace));
    const bounds = L.latLngBounds([]);
    for (const name of ["leads", "tasks", "devices"]) {
      const b = layers[name].getBounds();
      if (b.isValid()) bounds.extend(b);
    }
    if (bounds.isValid()) mm.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13, animate: false });
    for (const name of Object.keys(layers)) layers[name].draw();
    renderQueue();
    renderTasks();
    renderKpis(s.kpis);
    addNotes(s.notifications || [], false);
    const cut = [s.leads.truncated ? t("Leads") : "", s.tasks.truncated ? t("Tasks") : ""].filter(Boolean);
    $("wall-map-note").textContent = cut.length ? t("Too many to show all: {what}.", { what: cut.join("、") }) : "";
    mapEl.dataset.ready = "1";
    performance.mark("zhifa-wall-rendered");
    tick();
    setInterval(tick, 1000);

    const live = D.live;
    live.on("lead", (l) => {
      setLead(l);
      renderSoon();
    });
    live.on("task", (x) => {
      setTask(x);
      renderSoon();
    });
    live.on("notification", (n) => addNotes([n], true));
    live.on("kpi", renderKpis);
    live.on("clock", tick);
    live.connect(s.cursor, $("wall-state"));
  }

  window.zhifaWall = {
    get map() {
      return mm && mm.map;
    },
    layers, leads, tasks, openDispatch,
  };
  start();
})();
