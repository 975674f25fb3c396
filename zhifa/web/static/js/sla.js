/* 时限标准与参数 — the SLA ladders (GET /api/v1/sla-policies; a row is saved with
 * PUT /api/v1/sla-policies/{kind}/{priority}) and the dispatch settings (GET/PATCH
 * /api/v1/dispatch/settings) with the source of each value. Administrators edit, in place; the
 * others read (the inputs and buttons are not drawn for them, and the API would refuse anyway).
 * The API validates (e.g. accept ≤ arrive ≤ feedback) and audits; a refused save shows its
 * message in the row or above the settings. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const D = window.ZhifaDispatch;
  const page = boot.page || {};
  const roles = new Set((boot.user || {}).roles || []);
  const canEdit = (page.edit_roles || []).some((r) => roles.has(r)) || roles.has("admin");
  const $ = (id) => document.getElementById(id);
  const FIELDS = ["accept_min", "arrive_min", "feedback_min", "remind_before_min", "center_after_min"];
  const SUBKEY = { high: () => t("High"), normal: () => t("Normal"), low: () => t("Low") };
  let settings = [];
  const head = (i) => $("sla-table").tHead.rows[0].cells[i].textContent;

  const changedText = (by, at) => (by ? `${by} · ${fmtTime(at)}` : "—");

  // ------------------------------------------------------------------ SLA ladders

  function ladderRow(kind, priority, p) {
    const cells = FIELDS.map((f) => {
      const value = p ? String(p[f]) : "";
      if (!canEdit) return el("td", { dataset: { testid: `sla-${f}` } }, value || "—");
      return el(
        "td",
        {},
        el("input", {
          type: "number", min: "0", step: "1", value: value, "aria-label": `${D.label("kind", kind)} ${D.label("priority", priority)} ${head(2 + FIELDS.indexOf(f))}`,
          dataset: { testid: `sla-${f}`, field: f },
        })
      );
    });
    const source = canEdit
      ? el("td", {}, el("input", { value: (p && p.source) || "", maxlength: "2000", "aria-label": `${D.label("kind", kind)} ${D.label("priority", priority)} ${head(7)}`, dataset: { testid: "sla-source", field: "source" } }))
      : el("td", { class: "small" }, (p && p.source) || "—");
    const tr = el(
      "tr",
      { dataset: { testid: "sla-row", kind: kind, priority: priority, configured: p ? "1" : "0" } },
      el("th", { scope: "row" }, D.label("kind", kind)),
      el("td", {}, D.label("priority", priority)),
      ...cells,
      source,
      el("td", { class: "small nowrap", dataset: { testid: "sla-changed" } }, p ? changedText(p.updated_by, p.updated_at) : t("Not configured"))
    );
    if (canEdit) {
      const msg = el("span", { class: "field-error", dataset: { testid: "sla-row-error" }, hidden: true });
      tr.append(el("td", { class: "nowrap" }, el("button", { type: "button", class: "btn btn-sm btn-primary", dataset: { testid: "sla-save" }, onclick: () => saveLadder(tr, kind, priority) }, t("Save")), msg));
    } else {
      tr.append(el("td", {}));
    }
    return tr;
  }

  async function loadLadders() {
    const res = await api("/api/v1/sla-policies");
    if (!res.ok) {
      showError($("sla-error"), res.error);
      return;
    }
    const byKey = Object.fromEntries((res.data || []).map((p) => [`${p.task_kind}/${p.priority}`, p]));
    const rows = [];
    for (const kind of page.task_kinds || []) {
      for (const priority of page.priorities || []) rows.push(ladderRow(kind, priority, byKey[`${kind}/${priority}`]));
    }
    $("sla-table").tBodies[0].replaceChildren(...rows);
    $("sla-table").dataset.ready = "1";
  }

  async function saveLadder(tr, kind, priority) {
    const msg = tr.querySelector('[data-testid="sla-row-error"]');
    const body = {};
    for (const f of FIELDS) {
      const v = tr.querySelector(`[data-field="${f}"]`).value.trim();
      body[f] = /^\d+$/.test(v) ? Number(v) : v; // the API names what is wrong
    }
    body.source = tr.querySelector('[data-field="source"]').value.trim();
    const res = await api(`/api/v1/sla-policies/${kind}/${priority}`, { method: "PUT", json: body });
    if (!res.ok) {
      msg.textContent = res.error;
      msg.hidden = false;
      tr.classList.add("has-error");
      return;
    }
    msg.hidden = true;
    tr.classList.remove("has-error");
    const fresh = ladderRow(kind, priority, res.data);
    for (const td of fresh.cells) td.classList.add("saved");
    tr.replaceWith(fresh);
  }

  // ------------------------------------------------------------------ settings

  function valueCell(s) {
    const type = (page.setting_types || {})[s.key] || typeof s.value;
    if (!canEdit) {
      const text = type === "dict"
        ? Object.entries(s.value).map(([k, v]) => `${SUBKEY[k] ? SUBKEY[k]() : k}: ${v}`).join("，")
        : s.value === "" ? t("(not set)") : String(s.value);
      return el("td", { dataset: { testid: "setting-value" } }, text);
    }
    if (type === "dict") {
      return el(
        "td",
        { dataset: { testid: "setting-value" } },
        Object.entries(s.value).map(([k, v]) =>
          el("label", { class: "sub" }, el("span", {}, SUBKEY[k] ? SUBKEY[k]() : k),
            el("input", { type: "number", min: "0", step: "1", value: String(v), dataset: { key: s.key, sub: k, testid: `setting-${s.key}-${k}` } }))
        )
      );
    }
    const attrs = { value: String(s.value), dataset: { key: s.key, testid: `setting-${s.key}` }, "aria-label": (page.setting_labels || {})[s.key] || s.key };
    if (type === "int") Object.assign(attrs, { type: "number", step: "1", min: "0" });
    else if (type === "float") Object.assign(attrs, { type: "number", step: "0.1", min: "0" });
    else Object.assign(attrs, { type: "url", class: "wide", maxlength: "300" });
    return el("td", {}, el("input", attrs));
  }

  async function loadSettings() {
    const res = await api("/api/v1/dispatch/settings");
    if (!res.ok) {
      // Leaders read the ladders; the settings are the command center's (the API says so).
      showError($("settings-error"), res.error);
      $("settings-table").tBodies[0].replaceChildren();
      return;
    }
    settings = res.data || [];
    const labels = page.setting_labels || {};
    $("settings-table").tBodies[0].replaceChildren(
      ...settings.map((s) =>
        el(
          "tr",
          { dataset: { testid: "setting-row", key: s.key } },
          el("th", { scope: "row" }, labels[s.key] || s.key, el("br"), el("code", { class: "small muted" }, s.key)),
          valueCell(s),
          el("td", { class: "small", dataset: { testid: "setting-source" } }, s.source || "—"),
          el("td", { class: "small nowrap" }, changedText(s.updated_by, s.updated_at))
        )
      )
    );
    $("settings-table").dataset.ready = "1";
  }

  function readSetting(s) {
    const type = (page.setting_types || {})[s.key];
    const form = $("settings-form");
    if (type === "dict") {
      const out = {};
      for (const input of form.querySelectorAll(`input[data-key="${s.key}"][data-sub]`)) {
        const v = input.value.trim();
        out[input.dataset.sub] = /^\d+$/.test(v) ? Number(v) : v;
      }
      return out;
    }
    const v = form.querySelector(`input[data-key="${s.key}"]`).value.trim();
    if (type === "int") return /^\d+$/.test(v) ? Number(v) : v;
    if (type === "float") return v !== "" && !isNaN(Number(v)) ? Number(v) : v;
    return v;
  }

  async function saveSettings(e) {
    e.preventDefault();
    const changes = {};
    for (const s of settings) {
      const v = readSetting(s);
      if (JSON.stringify(v) !== JSON.stringify(s.value)) changes[s.key] = v;
    }
    const status = $("settings-status");
    if (!Object.keys(changes).length) {
      status.textContent = t("Nothing changed.");
      return;
    }
    const res = await api("/api/v1/dispatch/settings", { method: "PATCH", json: changes });
    if (!res.ok) {
      showError($("settings-error"), res.error);
      status.textContent = "";
      return;
    }
    showError($("settings-error"), "");
    await loadSettings();
    status.textContent = t("Saved: {keys}.", { keys: Object.keys(changes).join(", ") });
  }

  async function start() {
    $("sla-note").textContent = canEdit ? t("Edit a row and save it; every change is audited.") : t("Administrators change these values.");
    if (canEdit) {
      $("settings-save").hidden = false;
      $("settings-form").addEventListener("submit", saveSettings);
    } else {
      $("settings-form").addEventListener("submit", (e) => e.preventDefault());
    }
    await Promise.all([loadLadders(), loadSettings()]);
  }
  start();
})();
