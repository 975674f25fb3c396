/* 预案 — response plans (GET/POST /api/v1/plans, PATCH /api/v1/plans/{id}). The list, a form to
 * create or edit a plan (its tasks as a small repeatable sub-form: task kind, unit — the routed
 * one or a fixed one —, officers to suggest, title, instructions), and retiring/reinstating a
 * plan. Every save is a call of the API, which validates, versions and audits it; a refused save
 * shows the API's message next to the field it names. The version history is read from the audit
 * log, which the API gives to administrators; others see the version number. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const D = window.ZhifaDispatch;
  const page = boot.page || {};
  const roles = new Set((boot.user || {}).roles || []);
  const isAdmin = roles.has("admin");
  const canEdit = isAdmin || (page.plan_roles || []).some((r) => roles.has(r));
  const $ = (id) => document.getElementById(id);
  const errorEl = $("page-error");
  const form = $("plan-form");
  const formError = $("plan-error");
  const table = $("plans-table");
  let plans = [];
  let units = {};
  let matters = {};
  let editing = null; // the plan being edited, null for a new one
  let busy = false;

  const kindTitle = (k) => (k ? D.kindTitle(k) : t("Any"));
  const unitText = (code) => (code ? D.unitText(units[code], code) : t("Any"));
  const stepUnit = (code) => (!code || code === "routed" ? t("The routed unit") : D.unitText(units[code], code));

  function stepsSummary(steps) {
    return (steps || [])
      .map((s) => `${D.label("kind", s.task_kind)} → ${stepUnit(s.unit)}${s.officers ? ` ×${s.officers}` : ""}${s.title ? `（${s.title}）` : ""}`)
      .join("；");
  }

  // ------------------------------------------------------------------ the list

  function render() {
    const body = table.tBodies[0];
    if (!plans.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 11, class: "muted empty" }, t("No plans yet."))));
    } else {
      body.replaceChildren(
        ...plans.map((p) =>
          el(
            "tr",
            { dataset: { testid: "plan-row", planId: p.id, active: p.active ? "1" : "0" }, class: p.active ? undefined : "row-muted" },
            el("td", {}, String(p.id)),
            el("th", { scope: "row", dataset: { testid: "plan-name" } }, p.name),
            el("td", {}, kindTitle(p.lead_kind)),
            el("td", {}, p.matter ? `${matters[p.matter] || ""} ${p.matter}`.trim() : t("Any")),
            el("td", {}, p.route || t("Any")),
            el("td", {}, unitText(p.unit)),
            el("td", {}, p.priority ? D.label("priority", p.priority) : t("Any")),
            el("td", { dataset: { testid: "plan-active" } },
              el("span", { class: p.active ? "badge badge-ok" : "badge badge-muted" }, p.active ? t("In force") : t("Retired"))),
            el("td", { dataset: { testid: "plan-version" } }, `v${p.version}`),
            el("td", { class: "small", dataset: { testid: "plan-steps" } }, stepsSummary(p.steps)),
            el("td", { class: "nowrap" }, actions(p))
          )
        )
      );
    }
    table.dataset.ready = "1";
  }

  function actions(p) {
    const out = [];
    if (canEdit) {
      out.push(el("button", { type: "button", class: "btn btn-sm", dataset: { testid: "plan-edit" }, onclick: () => openForm(p) }, t("Edit")));
      out.push(
        el(
          "button",
          { type: "button", class: "btn btn-sm", dataset: { testid: "plan-toggle" }, onclick: () => toggle(p) },
          p.active ? t("Retire") : t("Put in force")
        )
      );
    }
    if (isAdmin) {
      out.push(el("button", { type: "button", class: "btn btn-sm btn-ghost", dataset: { testid: "plan-history-open" }, onclick: () => history(p) }, t("History")));
    }
    return out;
  }

  async function load() {
    const res = await api("/api/v1/plans");
    if (!res.ok) {
      showError(errorEl, res.error);
      return;
    }
    plans = res.data || [];
    render();
  }

  async function toggle(p) {
    if (busy) return;
    busy = true;
    const res = await api(`/api/v1/plans/${p.id}`, { method: "PATCH", json: { active: !p.active } });
    busy = false;
    if (!res.ok) {
      showError(errorEl, res.error);
      return;
    }
    showError(errorEl, "");
    await load();
  }

  // ------------------------------------------------------------------ the version history (audit log)

  function changed(before, after) {
    if (!before) return t("Created");
    const keys = Object.keys(after || {}).filter((k) => k !== "version" && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    return keys.length ? keys.join(", ") : "—";
  }

  async function history(p) {
    const box = $("plan-history");
    const body = $("history-table").tBodies[0];
    box.hidden = false;
    body.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "muted empty" }, t("Loading…"))));
    const q = new URLSearchParams({ entity_type: "response_plan", entity_id: String(p.id), per_page: "100" });
    const res = await api(`/api/v1/audit?${q}`);
    if (!res.ok) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "muted" }, res.error)));
      return;
    }
    body.replaceChildren(
      ...res.data.items.map((r) =>
        el(
          "tr",
          { dataset: { testid: "history-row" } },
          el("td", {}, `v${(r.after && r.after.version) || 1}`),
          el("td", { class: "nowrap" }, fmtTime(r.at)),
          el("td", {}, r.actor),
          el("td", { class: "small" }, changed(r.before, r.after))
        )
      )
    );
    box.scrollIntoView({ block: "nearest" });
  }
  $("history-close").addEventListener("click", () => ($("plan-history").hidden = true));

  // ------------------------------------------------------------------ the form

  function options(select, pairs) {
    for (const [value, text] of pairs) select.append(el("option", { value: value }, text));
  }

  function addStep(step) {
    const s = step || { task_kind: "inspection", unit: "routed", officers: 2, title: "", instructions: "" };
    const li = $("step-template").content.firstElementChild.cloneNode(true);
    const kind = li.querySelector(".s-task_kind");
    options(kind, (page.task_kinds || []).map((k) => [k, D.label("kind", k)]));
    const unit = li.querySelector(".s-unit");
    options(unit, Object.keys(units).sort().map((c) => [c, D.unitText(units[c], c)]));
    if (s.unit && s.unit !== "routed" && !(s.unit in units)) options(unit, [[s.unit, s.unit]]);
    kind.value = s.task_kind;
    unit.value = s.unit || "routed";
    li.querySelector(".s-officers").value = String(s.officers ?? 2);
    li.querySelector(".s-title").value = s.title || "";
    li.querySelector(".s-instructions").value = s.instructions || "";
    li.querySelector(".s-remove").addEventListener("click", () => {
      li.remove();
      stepButtons();
    });
    $("pf-steps").append(li);
    stepButtons();
  }

  function stepButtons() {
    const n = $("pf-steps").children.length;
    $("pf-add-step").disabled = n >= 10;
    for (const b of $("pf-steps").querySelectorAll(".s-remove")) b.disabled = n <= 1;
  }

  function clearFieldErrors() {
    for (const e of form.querySelectorAll(".field-error")) e.remove();
    for (const e of form.querySelectorAll(".has-error")) e.classList.remove("has-error");
    showError(formError, "");
  }

  /** Where the API's `field` points: "name", "bbox.1", "steps[0].unit", "steps" … */
  function fieldBox(field) {
    if (!field) return null;
    const m = /^steps(?:\[(\d+)\]|\.(\d+))(?:\.(\w+))?/.exec(field);
    if (m) {
      const li = $("pf-steps").children[Number(m[1] ?? m[2])];
      if (li && m[3]) return li.querySelector(`[data-step-field="${m[3]}"]`) || li;
      return li || form.querySelector('[data-field="steps"]');
    }
    const top = /^(\w+)/.exec(field);
    return top ? form.querySelector(`[data-field="${top[1]}"]`) : null;
  }

  function fieldError(field, message) {
    const box = fieldBox(field);
    if (!box) return;
    box.classList.add("has-error");
    box.append(el("span", { class: "field-error", role: "alert", dataset: { testid: "field-error", field: field } }, message));
  }

  function openForm(p) {
    editing = p || null;
    clearFieldErrors();
    $("plan-form-title").textContent = p ? t("Edit plan #{id} (version {version})", { id: p.id, version: p.version }) : t("New plan");
    $("pf-name").value = p ? p.name : "";
    $("pf-lead_kind").value = (p && p.lead_kind) || "";
    const matter = $("pf-matter");
    if (p && p.matter && !Array.from(matter.options).some((o) => o.value === p.matter)) options(matter, [[p.matter, p.matter]]);
    matter.value = (p && p.matter) || "";
    $("pf-priority").value = (p && p.priority) || "";
    $("pf-route").value = (p && p.route) || "";
    $("pf-unit").value = (p && p.unit) || "";
    for (let i = 0; i < 4; i++) $(`pf-bbox-${i}`).value = p && p.bbox ? String(p.bbox[i]) : "";
    $("pf-active").checked = p ? p.active : true;
    $("pf-steps").replaceChildren();
    for (const s of (p && p.steps) || [null]) addStep(s);
    form.hidden = false;
    $("pf-name").focus();
    form.scrollIntoView({ block: "nearest" });
  }

  function body() {
    const bboxRaw = [0, 1, 2, 3].map((i) => $(`pf-bbox-${i}`).value.trim());
    const steps = Array.from($("pf-steps").children).map((li) => {
      const n = li.querySelector(".s-officers").value.trim();
      return {
        task_kind: li.querySelector(".s-task_kind").value,
        unit: li.querySelector(".s-unit").value,
        // A whole number as typed; anything else goes to the API as it is, which names the field.
        officers: /^\d+$/.test(n) ? Number(n) : n,
        title: li.querySelector(".s-title").value.trim(),
        instructions: li.querySelector(".s-instructions").value.trim(),
      };
    });
    return {
      name: $("pf-name").value.trim(),
      lead_kind: $("pf-lead_kind").value || null,
      matter: $("pf-matter").value || null,
      priority: $("pf-priority").value || null,
      route: $("pf-route").value.trim() || null,
      unit: $("pf-unit").value || null,
      bbox: bboxRaw.every((v) => v === "") ? null : bboxRaw.map((v) => (v === "" ? null : Number(v))),
      steps: steps,
      active: $("pf-active").checked,
    };
  }

  async function save(e) {
    e.preventDefault();
    if (busy) return;
    clearFieldErrors();
    busy = true;
    $("pf-submit").disabled = true;
    const res = editing
      ? await api(`/api/v1/plans/${editing.id}`, { method: "PATCH", json: body() })
      : await api("/api/v1/plans", { method: "POST", json: body() });
    busy = false;
    $("pf-submit").disabled = false;
    if (!res.ok) {
      showError(formError, res.error);
      const err = (res.data && res.data.error) || {};
      const problems = err.problems || (err.field ? [{ field: err.field }] : []);
      for (const p of problems) fieldError(p.field, p.reason && problems.length > 1 ? p.reason : res.error);
      return;
    }
    form.hidden = true;
    editing = null;
    await load();
    const saved = res.data;
    const row = table.querySelector(`[data-plan-id="${saved.id}"]`);
    if (row) row.classList.add("row-flash");
  }

  // ------------------------------------------------------------------ start

  async function start() {
    const [u, m] = await Promise.all([api("/api/v1/units"), api("/api/v1/matters")]);
    if (u.ok) for (const x of u.data || []) units[x.code] = x.name;
    if (m.ok) for (const x of m.data || []) matters[x.code] = x.title;
    options($("pf-lead_kind"), page.kinds || []);
    options($("pf-matter"), Object.keys(matters).sort().map((c) => [c, D.unitText(matters[c], c)]));
    options($("pf-priority"), (page.priorities || []).map((p) => [p, D.label("priority", p)]));
    options($("pf-unit"), Object.keys(units).sort().map((c) => [c, D.unitText(units[c], c)]));
    $("plans-note").textContent = canEdit
      ? isAdmin
        ? ""
        : t("Each save is versioned and audited; the history is in the audit log (administrators).")
      : t("You may read the plans; the command center changes them.");
    if (canEdit) {
      $("plan-new").hidden = false;
      $("plan-new").addEventListener("click", () => openForm(null));
      $("pf-add-step").addEventListener("click", () => addStep(null));
      $("pf-cancel").addEventListener("click", () => {
        form.hidden = true;
        editing = null;
      });
      form.addEventListener("submit", save);
    }
    await load();
  }
  start();
})();
