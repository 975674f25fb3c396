/* 案件 — one case from GET /api/v1/cases/{id}: details and party (masked as the API gives it), the
 * timeline of steps (who, when, from → to, reason), the legal deadlines (due, basis, met/missed),
 * the documents issued (PDF / Word), the evidence with its SHA-256 and custody; and a button for
 * each step in the case's `allowed` (the API's answer for its present state). A step taken
 * through its own route (payments, statements, publication) is named, not offered. The step form
 * asks for the reason and the step's fields; a refusal (409, 422, 403) is shown as the API says. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const page = boot.page || {};
  const roles = new Set((boot.user || {}).roles || []);
  const $ = (id) => document.getElementById(id);
  const stateLabel = Object.fromEntries(page.states || []);
  const steps = page.steps || {};
  const base = `/api/v1/cases/${page.case_id}`;
  let current = null;
  let chosen = null;
  let busy = false;

  const mayTake = (action) => roles.has("admin") || (steps[action] ? steps[action].roles : []).some((r) => roles.has(r));
  const stepLabel = (action) => (steps[action] ? steps[action].zh : action);
  const state = (s) => (s ? stateLabel[s] || s : "—");

  function facts(c) {
    const party = c.party || {};
    const pairs = [
      [t("Case number"), el("span", { dataset: { testid: "case-no" } }, c.case_no || "")],
      [t("Case title"), c.title || ""],
      [t("State"), el("span", { class: "badge", dataset: { testid: "case-state", state: c.state } }, state(c.state))],
      [t("Procedure"), (page.procedures || {})[c.procedure] || c.procedure],
      [t("Unit"), c.unit_code || ""],
      [t("Party"), el("span", { dataset: { testid: "case-party" } }, [party.name, party.id_no, party.phone].filter(Boolean).join(" · "))],
    ];
    if (c.vehicle) pairs.push([t("Vehicle"), c.vehicle.plate]);
    if (c.place) pairs.push([t("Place"), c.place]);
    if (c.facts) pairs.push([t("Facts"), c.facts]);
    if (c.decision_no) pairs.push([t("Decision number"), c.decision_no]);
    if (c.fine_yuan && c.fine_yuan !== "0.00") pairs.push([t("Fine (yuan)"), `${c.fine_yuan} / ${t("paid")} ${c.paid_yuan}`]);
    if (c.lead_id) pairs.push([t("From a lead"), el("a", { href: `/monitoring/leads/${c.lead_id}` }, `#${c.lead_id}`)]);
    if (c.task_id) pairs.push([t("From a dispatch task"), el("a", { href: `/tasks/${c.task_id}` }, `#${c.task_id}`)]);
    if (c.offsite_case_id) pairs.push([t("From an off-site case"), `#${c.offsite_case_id}`]);
    return pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]);
  }

  function timeline(c) {
    return (c.steps || []).map((s) =>
      el(
        "tr",
        { dataset: { testid: "timeline-row", action: s.action, to: s.to || "" } },
        el("td", { class: "nowrap" }, fmtTime(s.at)),
        el("td", {}, s.zh || stepLabel(s.action)),
        el("td", {}, state(s.from)),
        el("td", {}, state(s.to)),
        el("td", {}, s.actor),
        el("td", {}, s.reason || "")
      )
    );
  }

  function deadlines(c) {
    return (c.deadlines || []).map((d) => {
      const cls = d.status === "missed" ? "badge badge-danger" : d.status === "met" ? "badge badge-ok" : "badge badge-muted";
      return el(
        "tr",
        { dataset: { testid: "deadline-row", kind: d.kind, status: d.status } },
        el("td", {}, d.zh || d.kind),
        el("td", { class: "nowrap" }, d.due),
        el("td", {}, el("span", { class: cls }, (page.deadline_status || {})[d.status] || d.status)),
        el("td", { class: "small" }, d.basis || "")
      );
    });
  }

  function documents(c) {
    const docs = (c.steps || []).filter((s) => s.document);
    if (!docs.length) return [el("li", { class: "muted" }, t("No document issued yet."))];
    return docs.map((s) =>
      el(
        "li",
        { dataset: { testid: "document-row" } },
        `${s.document.number || ""} (${s.zh}) `,
        el("a", { href: `/api/v1/documents/${s.document.id}.pdf`, target: "_blank", rel: "noopener" }, "PDF"),
        " · ",
        el("a", { href: `/api/v1/documents/${s.document.id}.docx` }, "Word")
      )
    );
  }

  function evidence(rows) {
    if (!rows.length) return [el("tr", {}, el("td", { colspan: 7, class: "muted empty" }, t("No evidence linked yet.")))];
    return rows.map((e) => {
      const cu = e.custody || {};
      const check = e.last_check || {};
      const origin = (page.origins || {})[cu.origin] || cu.origin;
      const from = cu.lead_id ? ` #${cu.lead_id}` : cu.task_id ? ` #${cu.task_id}` : cu.device_code ? ` ${cu.device_code}` : "";
      return el(
        "tr",
        { dataset: { testid: "evidence-row", origin: cu.origin || "" } },
        el("td", {}, e.title || ""),
        el("td", {}, e.kind || ""),
        el("td", { class: "hash" }, el("a", { href: `/api/v1/evidence/${e.sha256}`, target: "_blank", rel: "noopener" }, e.sha256)),
        el("td", {}, origin + from),
        el("td", {}, cu.added_by || ""),
        el("td", { class: "nowrap" }, fmtTime(cu.added_at)),
        el("td", {}, check.at ? el("span", { class: check.ok ? "badge badge-ok" : "badge badge-danger" }, check.ok ? t("Intact") : t("Altered or missing")) : t("Not checked"))
      );
    });
  }

  function actions(c) {
    const box = $("case-actions");
    const own = [];
    const buttons = [];
    for (const action of c.allowed || []) {
      const s = steps[action];
      if (!s) continue;
      if (s.via) {
        own.push(stepLabel(action));
        continue;
      }
      const allowedForMe = mayTake(action);
      buttons.push(
        el(
          "button",
          {
            type: "button",
            class: "btn btn-sm" + (allowedForMe ? " btn-primary" : ""),
            disabled: !allowedForMe,
            title: allowedForMe ? null : t("Not for your role"),
            dataset: { testid: "step-button", action: action },
            onclick: () => openForm(action),
          },
          stepLabel(action)
        )
      );
    }
    box.replaceChildren(...buttons);
    const notes = [];
    if (!buttons.length) notes.push(t("No step can be taken from this state."));
    if (own.length) notes.push(t("Through their own functions: {steps}", { steps: own.join("、") }));
    $("case-actions-note").textContent = notes.join(" ");
  }

  function field(f) {
    const id = `sf-${f.name}`;
    let input;
    if (f.kind === "select") input = el("select", { id }, ...(f.options || []).map((o) => el("option", { value: o }, o)));
    else if (f.kind === "textarea") input = el("textarea", { id, rows: 3, maxlength: 4000 });
    else if (f.kind === "bool") input = el("input", { id, type: "checkbox" });
    else input = el("input", { id, type: f.kind === "date" ? "date" : "text", maxlength: 200 });
    input.dataset.testid = `step-field-${f.name}`;
    input.dataset.name = f.name;
    input.dataset.kind = f.kind;
    return el("label", { class: "field", dataset: { field: f.name } }, el("span", {}, f.label + (f.required ? " *" : "")), input);
  }

  function openForm(action) {
    chosen = action;
    const s = steps[action];
    $("step-form-title").textContent = stepLabel(action);
    $("step-fields").replaceChildren(...(s.fields || []).map(field));
    $("step-reason-label").textContent = s.reason ? t("Reason (required)") : t("Reason");
    $("step-reason").value = "";
    $("step-extra").value = "";
    showError($("step-error"), "");
    $("step-form").hidden = false;
    $("step-form").dataset.action = action;
  }

  async function submit(e) {
    e.preventDefault();
    if (busy || !chosen) return;
    const body = {};
    const extra = $("step-extra").value.trim();
    if (extra) {
      try {
        const parsed = JSON.parse(extra);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("object");
        Object.assign(body, parsed);
      } catch (err) {
        showError($("step-error"), t("Further parameters must be a JSON object."));
        return;
      }
    }
    for (const input of $("step-fields").querySelectorAll("[data-name]")) {
      if (input.dataset.kind === "bool") body[input.dataset.name] = input.checked;
      else if (input.value.trim()) body[input.dataset.name] = input.value.trim();
    }
    const reason = $("step-reason").value.trim();
    if (reason) body.reason = reason;
    body.action = chosen;
    busy = true;
    const r = await api(`${base}/transitions`, { json: body });
    busy = false;
    if (!r.ok) {
      const code = r.data && r.data.error && r.data.error.code;
      showError($("step-error"), `${r.status}${code ? " " + code : ""}: ${r.error}`);
      return;
    }
    $("step-form").hidden = true;
    chosen = null;
    render(r.data);
    loadEvidence();
  }

  function render(c) {
    current = c;
    $("case-title").textContent = `${t("Case")} ${c.case_no || "#" + c.id}`;
    $("case-facts").replaceChildren(...facts(c));
    $("case-timeline").querySelector("tbody").replaceChildren(...timeline(c));
    $("case-deadlines").querySelector("tbody").replaceChildren(...deadlines(c));
    $("case-documents").replaceChildren(...documents(c));
    actions(c);
    $("case-body").hidden = false;
    $("case-body").dataset.ready = "1";
    $("case-body").dataset.state = c.state;
  }

  async function loadEvidence() {
    const r = await api(`${base}/evidence`);
    const body = $("case-evidence").querySelector("tbody");
    body.replaceChildren(...(r.ok ? evidence(r.data) : [el("tr", {}, el("td", { colspan: 7, class: "muted" }, r.error))]));
  }

  async function init() {
    $("step-form").addEventListener("submit", submit);
    $("step-cancel").addEventListener("click", () => {
      $("step-form").hidden = true;
      chosen = null;
    });
    const r = await api(base);
    if (!r.ok) {
      showError($("page-error"), r.error);
      return;
    }
    render(r.data);
    loadEvidence();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
