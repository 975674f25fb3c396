/* 案件 — one case from GET /api/v1/cases/{id}: details and party (masked as the API gives it), the
 * timeline of steps (who, when, from → to, reason), the legal deadlines (due, basis, met/missed),
 * the documents issued (PDF / Word), the evidence with its SHA-256 and custody; and a button for
 * each step in the case's `allowed` (the API's answer for its present state). A step taken
 * through its own route is offered by its own panel: the party's statements (and their re-check,
 * 复核), payments. Beside the steps: the penalty proposal (discretion, or the overload quote), the
 * exemption check (免罚清单, 首违不罚) and evidence uploads. The step form asks for the reason and
 * the step's fields (a file field uploads to the evidence store and passes its SHA-256); a refusal
 * (409, 422, 403) is shown as the API says. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const page = boot.page || {};
  const roles = new Set((boot.user || {}).roles || []);
  const $ = (id) => document.getElementById(id);
  const stateLabel = page.state_labels || Object.fromEntries(page.states || []);
  const steps = page.steps || {};
  const options = page.options || {};
  const optionLabel = (name, code) => ((options[name] || {})[code]) || code;
  const HANDLERS = ["officer", "leader", "legal_reviewer"];
  const mayHandle = () => roles.has("admin") || HANDLERS.some((r) => roles.has(r));
  const base = `/api/v1/cases/${page.case_id}`;
  let current = null;
  let chosen = null;
  let busy = false;

  const mayTake = (action) => roles.has("admin") || (steps[action] ? steps[action].roles : []).some((r) => roles.has(r));
  const stepLabel = (action) => (steps[action] ? steps[action].label : action);
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
    if (c.penalty) pairs.push([t("Proposed penalty"), el("span", { dataset: { testid: "case-penalty" } }, penaltyText(c.penalty))]);
    if (c.owed) {
      const o = c.owed;
      pairs.push([t("Owed now (yuan)"), el("span", { dataset: { testid: "case-owed" } },
        t("{owed} (fine {fine}, surcharge {surcharge}, paid {paid})", { owed: o.outstanding_yuan, fine: o.fine_yuan, surcharge: o.surcharge_yuan, paid: o.paid_yuan }))]);
    }
    if (c.fine_yuan && c.fine_yuan !== "0.00") pairs.push([t("Fine (yuan)"), `${c.fine_yuan} / ${t("paid")} ${c.paid_yuan}`]);
    if (c.lead_id) pairs.push([t("From a lead"), el("a", { href: `/monitoring/leads/${c.lead_id}` }, `#${c.lead_id}`)]);
    if (c.task_id) pairs.push([t("From a dispatch task"), el("a", { href: `/tasks/${c.task_id}` }, `#${c.task_id}`)]);
    if (c.offsite_case_id) pairs.push([t("From an off-site case"), `#${c.offsite_case_id}`]);
    return pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]);
  }

  function penaltyText(p) {
    const parts = [];
    if (p.warning) parts.push(t("Warning"));
    if (p.fine_yuan && Number(p.fine_yuan) > 0) parts.push(t("fine {yuan} yuan", { yuan: p.fine_yuan }));
    if (p.confiscation_yuan && Number(p.confiscation_yuan) > 0) parts.push(t("confiscation {yuan} yuan", { yuan: p.confiscation_yuan }));
    return parts.join(t(", ")) || "—";
  }

  function timeline(c) {
    return (c.steps || []).map((s) =>
      el(
        "tr",
        { dataset: { testid: "timeline-row", action: s.action, to: s.to || "" } },
        el("td", { class: "nowrap" }, fmtTime(s.at)),
        el("td", {}, stepLabel(s.action)),
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
        el("td", {}, (page.deadline_kinds || {})[d.kind] || d.zh || d.kind),
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
        `${s.document.number || ""} (${stepLabel(s.action)}) `,
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
      const from = [cu.lead_id ? `#${cu.lead_id}` : "", cu.task_id ? `#${cu.task_id}` : "", cu.device_code || "", cu.event_id ? `(${t("event")} ${cu.event_id})` : ""]
        .filter(Boolean)
        .map((x) => " " + x)
        .join("");
      return el(
        "tr",
        { dataset: { testid: "evidence-row", origin: cu.origin || "" } },
        el("td", {}, e.title || ""),
        el("td", {}, optionLabel("evidence_kind", e.kind || "")),
        el("td", { class: "hash" }, el("a", { href: `${base}/evidence/${e.id}/file`, target: "_blank", rel: "noopener" }, e.sha256)),
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
      // Steps through their own routes: statements and payments have their panels below;
      // publication is a button of its own route (OWN_ROUTES); the scanner's are named.
      if (s.via && !OWN_ROUTES[action]) {
        if (!PANELS.has(action)) own.push(stepLabel(action));
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

  /** Steps taken through a route of their own that the step form still serves. */
  const OWN_ROUTES = {
    publish: () => api(`${base}/publication`, { method: "POST" }),
    withdraw_publication: (body) => api(`${base}/publication/withdraw`, { json: { reason: body.reason || "" } }),
  };
  const PANELS = new Set(["statement", "pay"]);

  function field(f) {
    const id = `sf-${f.name.replace(/\./g, "-")}`;
    let input;
    if (f.kind === "select") input = el("select", { id }, ...(f.options || []).map((o) => el("option", { value: o }, optionLabel(f.name, o))));
    else if (f.kind === "textarea" || f.kind === "list") input = el("textarea", { id, rows: 3, maxlength: 4000 });
    else if (f.kind === "bool") input = el("input", { id, type: "checkbox" });
    else if (f.kind === "file") input = el("input", { id, type: "file" });
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
    const fields = (s.fields || []).map(field);
    // A step that issues a document names the officers who acted (行政处罚法 第四十二条: two at least).
    if (s.officers && !(s.fields || []).some((f) => f.name === "officers")) {
      const f = field({ name: "officers", label: t("Officers (codes, at least two)"), kind: "codes" });
      f.querySelector("input").value = lastOfficers();
      fields.push(f);
    }
    $("step-fields").replaceChildren(...fields);
    $("step-reason-label").textContent = s.reason ? t("Reason (required)") : t("Reason");
    $("step-reason").value = "";
    $("step-extra").value = "";
    showError($("step-error"), "");
    $("step-form").hidden = false;
    $("step-form").dataset.action = action;
    const first = $("step-fields").querySelector("[data-name]");
    (first || $("step-reason")).focus();
  }

  const OFFICERS_KEY = "zhifa-case-officers";
  function lastOfficers() {
    try {
      return sessionStorage.getItem(OFFICERS_KEY) || (boot.user || {}).username || "";
    } catch (e) {
      return (boot.user || {}).username || "";
    }
  }

  /** Upload a file to the evidence store (POST /api/v1/evidence); its SHA-256, or an error. */
  async function upload(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    const r = await api("/api/v1/evidence", { method: "POST", body: form });
    return r.ok ? { sha256: r.data.sha256 } : { error: r.error };
  }

  function put(body, name, value) {
    const path = name.split(".");
    let at = body;
    for (const key of path.slice(0, -1)) at = at[key] = at[key] || {};
    at[path[path.length - 1]] = value;
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
    busy = true;
    try {
      for (const input of $("step-fields").querySelectorAll("[data-name]")) {
        const kind = input.dataset.kind;
        if (kind === "bool") {
          // Sent when ticked; unticked it is left out (a record kind that does not read the flag
          // refuses it), except a signature refused with its note (zhifa.cases.records).
          const refusal = input.dataset.name === "signed" && $("step-fields").querySelector('[data-name="refusal_note"]');
          if (input.checked) put(body, input.dataset.name, true);
          else if (refusal && refusal.value.trim()) put(body, input.dataset.name, false);
        } else if (input.dataset.name === "attendees" && input.value.trim()) {
          // One a line: 姓名（身份）, e.g. 周某（法定代表人）.
          put(body, "attendees", input.value.split("\n").map((x) => x.trim()).filter(Boolean).map((line) => {
            const m = line.match(/^(.+?)\s*[（(]\s*(.+?)\s*[)）]$/);
            return m ? { name: m[1], role: m[2] } : { name: line, role: "当事人" };
          }));
        } else if (kind === "file") {
          if (!input.files.length) continue;
          const up = await upload(input.files[0]);
          if (up.error) {
            showError($("step-error"), up.error);
            return;
          }
          put(body, input.dataset.name, up.sha256);
        } else if (kind === "codes") {
          const codes = input.value.split(/[\s,，、]+/).filter(Boolean);
          if (codes.length) put(body, input.dataset.name, codes);
          try {
            sessionStorage.setItem(OFFICERS_KEY, codes.join(", "));
          } catch (e) {
            /* private mode: not remembered */
          }
        } else if (kind === "list") {
          const items = input.value.split("\n").map((x) => x.trim()).filter(Boolean);
          if (items.length) put(body, input.dataset.name, items);
        } else if (input.value.trim()) put(body, input.dataset.name, input.value.trim());
      }
      const reason = $("step-reason").value.trim();
      if (reason) body.reason = reason;
      const own = OWN_ROUTES[chosen];
      body.action = chosen;
      const r = own ? await own(body) : await api(`${base}/transitions`, { json: body });
      if (!r.ok) {
        const code = r.data && r.data.error && r.data.error.code;
        showError($("step-error"), `${r.status}${code ? " " + code : ""}: ${r.error}`);
        return;
      }
      $("step-form").hidden = true;
      chosen = null;
      if (own) {
        busy = false;
        await reload();
        return;
      }
      render(r.data);
      loadEvidence();
    } finally {
      busy = false;
    }
  }

  // ------------------------------------------------------------------ panels beside the steps

  /** A small form: fields, a submit button and an error box, posting `build()` to `path`. */
  function panelForm(testid, fieldsList, label, onSubmit) {
    const error = el("div", { class: "alert alert-error", role: "alert", hidden: true, dataset: { testid: `${testid}-error` } });
    const form = el(
      "form",
      { class: "panel-form", novalidate: true, dataset: { testid: `${testid}-form` } },
      ...fieldsList,
      error,
      el("button", { type: "submit", class: "btn btn-primary btn-sm", dataset: { testid: `${testid}-submit` } }, label)
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (busy) return;
      showError(error, "");
      busy = true;
      try {
        const r = await onSubmit(form);
        if (r && !r.ok) {
          const code = r.data && r.data.error && r.data.error.code;
          showError(error, `${r.status}${code ? " " + code : ""}: ${r.error}`);
          return;
        }
      } finally {
        busy = false;
      }
      await reload();
    });
    return form;
  }

  function input(testid, labelText, attrs) {
    const node = attrs && attrs.tag === "select"
      ? el("select", { dataset: { testid } }, ...attrs.options.map(([v, l]) => el("option", { value: v, selected: v === attrs.value }, l)))
      : attrs && attrs.tag === "textarea"
        ? el("textarea", { rows: 3, maxlength: 4000, dataset: { testid } })
        : el("input", Object.assign({ type: "text", maxlength: 200, dataset: { testid } }, attrs || {}));
    if (node.type === "checkbox") return el("label", { class: "field-check" }, node, " ", labelText);
    return el("label", { class: "field" }, el("span", {}, labelText), node);
  }
  const val = (form, testid) => {
    const node = form.querySelector(`[data-testid="${testid}"]`);
    return node.type === "checkbox" ? node.checked : node.value.trim();
  };

  /** 拟定处罚: the benchmark's proposal (or the overload quote) and the officer's choice. */
  function penaltyPanel(c) {
    const box = $("case-penalty-panel");
    const open = c.procedure === "general" && ["filed", "notified"].includes(c.state) && mayHandle();
    box.hidden = !open;
    if (!open) return;
    const overload = c.matter === "road.overload";
    const circumstances = Object.entries(options.circumstance || {});
    const fieldsList = overload
      ? [input("penalty-excess", t("Excess over the limit (kg)"), { type: "number", min: 0 })]
      : [
          input("penalty-tier", t("Discretion tier"), { type: "number", min: 1, value: "1" }),
          input("penalty-circumstance", t("Circumstance"), { tag: "select", options: circumstances, value: "ordinary" }),
        ];
    fieldsList.push(
      input("penalty-fine", t("Fine chosen (yuan; empty: as proposed)")),
      input("penalty-justification", t("Justification (outside the range)"), { tag: "textarea" })
    );
    const result = el("p", { class: "small", dataset: { testid: "penalty-proposal" } }, c.proposal ? proposalText(c.proposal) : "");
    const form = panelForm("penalty", fieldsList, t("Propose the penalty"), async (f) => {
      const body = {};
      if (overload) body.overload = { excess_kg: Number(val(f, "penalty-excess") || 0) };
      else {
        body.tier = Number(val(f, "penalty-tier") || 1);
        body.circumstance = val(f, "penalty-circumstance");
      }
      if (val(f, "penalty-fine")) body.fine_yuan = val(f, "penalty-fine");
      if (val(f, "penalty-justification")) body.justification = val(f, "penalty-justification");
      return api(`${base}/discretion`, { json: body });
    });
    $("case-penalty-body").replaceChildren(result, form);
  }

  function proposalText(p) {
    const range = p.range_yuan || {};
    return t("Proposed {fine} yuan (tier {tier}, range {min}–{max}). {reason}", {
      fine: p.fine_yuan, tier: p.tier ?? "", min: range.min ?? "", max: range.max ?? "", reason: p.reason || "",
    });
  }

  /** 陈述申辩: what the party said (or waived), and the authority's re-check (复核) of each. */
  function statementsPanel(c) {
    const box = $("case-statements-panel");
    const list = c.statements || [];
    const canAdd = (c.allowed || []).includes("statement") && mayTake("statement");
    box.hidden = !canAdd && !list.length;
    if (box.hidden) return;
    const rows = list.map((s) => {
      const answered = s.answer !== null && s.answer !== undefined;
      const item = el(
        "li",
        { dataset: { testid: "statement-row", kind: s.kind, answered: answered ? "1" : "0" } },
        el("strong", {}, optionLabel("statement_kind", s.kind)),
        ` · ${optionLabel("statement_form", s.form)} · ${s.received_on} · ${s.recorded_by}`,
        el("p", {}, s.content),
        answered ? el("p", { class: "small" }, `${t("Re-check")}: ${s.accepted ? t("Accepted") : t("Not accepted")} — ${s.answer}`) : null
      );
      if (!answered && s.kind !== "waiver" && mayHandle()) {
        item.append(
          panelForm(
            "answer",
            [input("answer-accepted", t("The party's points hold"), { type: "checkbox" }), input("answer-text", t("Re-check (复核)"), { tag: "textarea" })],
            t("Record the re-check"),
            (f) => api(`${base}/statements/${s.id}/answer`, { json: { accepted: val(f, "answer-accepted"), answer: val(f, "answer-text") } })
          )
        );
      }
      return item;
    });
    const parts = [el("ul", { class: "plain-list", dataset: { testid: "statements" } }, ...rows)];
    if (canAdd) {
      parts.push(
        panelForm(
          "statement",
          [
            input("statement-kind", t("Kind"), { tag: "select", options: Object.entries(options.statement_kind || {}), value: "statement" }),
            input("statement-manner", t("Form"), { tag: "select", options: Object.entries(options.statement_form || {}), value: "written" }),
            input("statement-content", t("Content"), { tag: "textarea" }),
            input("statement-received", t("Received on"), { type: "date" }),
            input("statement-waive-hearing", t("Also waives the hearing"), { type: "checkbox" }),
          ],
          t("Record"),
          (f) => {
            const body = { kind: val(f, "statement-kind"), form: val(f, "statement-manner"), content: val(f, "statement-content") };
            if (val(f, "statement-received")) body.received_on = val(f, "statement-received");
            if (body.kind === "waiver") body.waive_hearing = val(f, "statement-waive-hearing");
            return api(`${base}/statements`, { json: body });
          }
        )
      );
    }
    $("case-statements-body").replaceChildren(...parts);
  }

  /** 免罚清单 and 首违不罚: the conditions as found; the check is stored on the case. */
  function exemptionPanel(c) {
    const box = $("case-exemption-panel");
    const open = (c.allowed || []).includes("no_penalty") && mayHandle();
    box.hidden = !open;
    if (!open) return;
    const facts = (c.exemption_check || {}).facts || {};
    const boxes = Object.entries(page.conditions || {}).map(([code, label]) => {
      const node = input(`exemption-${code}`, label, { type: "checkbox" });
      node.querySelector("input").checked = !!facts[code];
      return node;
    });
    const ck = c.exemption_check;
    const result = el(
      "p",
      { class: "small", dataset: { testid: "exemption-result" } },
      ck
        ? t("Must not be penalised: {must}. May be exempted: {may}. First violation: {first}.", {
            must: (ck.must_exempt || []).join("、") || "—",
            may: (ck.may_exempt || []).join("、") || "—",
            first: ck.history && ck.history.first ? t("Yes") : t("No"),
          })
        : ""
    );
    const form = panelForm("exemption", boxes, t("Check the exemptions"), (f) => {
      const out = {};
      for (const code of Object.keys(page.conditions || {})) out[code] = val(f, `exemption-${code}`);
      return api(`${base}/exemptions/check`, { json: { facts: out } });
    });
    $("case-exemption-body").replaceChildren(result, form);
  }

  /** 缴款: a payment received by hand (the bank statement import is on the API). */
  function paymentPanel(c) {
    const box = $("case-payment-panel");
    const open = (c.allowed || []).includes("pay") && mayTake("pay");
    box.hidden = !open;
    if (!open) return;
    const owed = (c.owed || {}).outstanding_yuan || c.fine_yuan;
    const form = panelForm(
      "payment",
      [
        input("payment-amount", t("Amount (yuan)"), { value: owed }),
        input("payment-on", t("Paid on"), { type: "date", value: page.today }),
        input("payment-reference", t("Receipt or bank reference")),
      ],
      t("Record the payment"),
      (f) => api(`${base}/payments`, { json: { amount_yuan: val(f, "payment-amount"), paid_on: val(f, "payment-on"), reference: val(f, "payment-reference") } })
    );
    $("case-payment-body").replaceChildren(form);
  }

  /** 证据: upload a file to the evidence store and link it to the case. */
  function evidencePanel(c) {
    const box = $("case-evidence-add");
    const open = !["referred", "revoked", "closed"].includes(c.state) && mayHandle();
    box.hidden = !open;
    if (!open || box.dataset.ready) return;
    box.dataset.ready = "1";
    const kinds = Object.entries(options.evidence_kind || {});
    box.replaceChildren(
      panelForm(
        "evidence",
        [
          input("evidence-file", t("File"), { type: "file" }),
          input("evidence-kind", t("Kind"), { tag: "select", options: kinds, value: "photo" }),
          input("evidence-title", t("Title")),
        ],
        t("Add evidence"),
        async (f) => {
          const file = f.querySelector('[data-testid="evidence-file"]').files[0];
          if (!file) return { ok: false, status: 422, data: null, error: t("Choose a file.") };
          const up = await upload(file);
          if (up.error) return { ok: false, status: 422, data: null, error: up.error };
          const r = await api(`${base}/evidence`, { json: { sha256: up.sha256, kind: val(f, "evidence-kind"), title: val(f, "evidence-title") || file.name } });
          if (r.ok) f.reset();
          return r;
        }
      )
    );
  }

  async function reload() {
    const r = await api(base);
    if (!r.ok) {
      showError($("page-error"), r.error);
      return;
    }
    render(r.data);
    loadEvidence();
  }

  function render(c) {
    current = c;
    $("case-title").textContent = `${t("Case")} ${c.case_no || "#" + c.id}`;
    $("case-badges").replaceChildren(
      el("span", { class: "badge", dataset: { testid: "case-state-badge" } }, state(c.state)),
      " ",
      window.ZhifaCases.deadlineBadge(c.next_deadline)
    );
    $("case-facts").replaceChildren(...facts(c));
    $("case-timeline").querySelector("tbody").replaceChildren(...timeline(c));
    $("case-deadlines").querySelector("tbody").replaceChildren(...deadlines(c));
    $("case-documents").replaceChildren(...documents(c));
    actions(c);
    penaltyPanel(c);
    statementsPanel(c);
    exemptionPanel(c);
    paymentPanel(c);
    evidencePanel(c);
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
    await reload();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
