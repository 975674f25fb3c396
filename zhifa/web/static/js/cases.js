/* 案件工作台 and 法制审核 queue — open cases from GET /api/v1/cases (nearest legal deadline first),
 * filtered by state (by the API), procedure, unit and missed deadline (in the page, from what the
 * API gave this user), each with a badge of its next deadline: days left, red when missed, amber
 * when due within two days. The review queue is the same list for the state in_review. */
(function () {
  "use strict";
  const { t, api, el, showError, boot } = window.Zhifa;
  const page = boot.page || {};
  const $ = (id) => document.getElementById(id);
  const review = !!document.getElementById("review-queue");
  const stateLabel = Object.fromEntries(page.states || []);

  const { daysLeft, deadlineBadge } = window.ZhifaCases;

  function row(c) {
    return el(
      "tr",
      { dataset: { testid: "case-row", state: c.state, id: c.id } },
      el("td", { class: "nowrap" }, el("a", { href: `/cases/${c.id}` }, c.case_no || `#${c.id}`)),
      el("td", {}, c.title || ""),
      el("td", {}, (c.party && c.party.name) || ""),
      el("td", {}, (page.procedures || {})[c.procedure] || c.procedure),
      el("td", {}, el("span", { class: "badge badge-muted", dataset: { testid: "case-row-state" } }, stateLabel[c.state] || c.state)),
      el("td", {}, c.unit_code || ""),
      el("td", {}, deadlineBadge(c.next_deadline))
    );
  }

  function filters() {
    if (review) return { state: "in_review" };
    const f = {};
    for (const name of ["state", "procedure", "unit"]) {
      const v = $(`f-${name}`).value;
      if (v) f[name] = v;
    }
    if ($("f-overdue").checked) f.overdue = "1";
    return f;
  }

  async function load() {
    const f = filters();
    const table = $("case-table");
    const body = table.querySelector("tbody");
    table.removeAttribute("data-ready");
    const r = await api("/api/v1/cases" + (f.state ? `?state=${encodeURIComponent(f.state)}` : ""));
    showError($("list-error"), r.ok ? "" : r.error);
    let rows = r.ok ? r.data : [];
    if (f.procedure) rows = rows.filter((c) => c.procedure === f.procedure);
    if (f.unit) rows = rows.filter((c) => c.unit_code === f.unit);
    if (f.overdue) rows = rows.filter((c) => c.next_deadline && daysLeft(c.next_deadline.due) < 0);
    body.replaceChildren(
      ...(rows.length
        ? rows.map(row)
        : [el("tr", {}, el("td", { colspan: 7, class: "muted empty" }, review ? t("No case awaits legal review.") : t("No cases.")))])
    );
    $("case-count").textContent = t("{count} records", { count: rows.length });
    table.dataset.ready = "1";
    if (!review) {
      const q = new URLSearchParams(f).toString();
      history.replaceState(null, "", location.pathname + (q ? `?${q}` : ""));
    }
  }

  async function initFilters() {
    const q = new URLSearchParams(location.search);
    const state = $("f-state");
    for (const [code, zh] of page.states || []) state.append(el("option", { value: code }, zh));
    const proc = $("f-procedure");
    for (const [code, label] of Object.entries(page.procedures || {})) proc.append(el("option", { value: code }, label));
    const unit = $("f-unit");
    const units = await api("/api/v1/units");
    if (units.ok) {
      for (const u of units.data.items || units.data) unit.append(el("option", { value: u.code }, `${u.name} (${u.code})`));
    }
    state.value = q.get("state") || "";
    proc.value = q.get("procedure") || "";
    unit.value = q.get("unit") || "";
    $("f-overdue").checked = q.get("overdue") === "1";
    $("case-filters").addEventListener("submit", (e) => {
      e.preventDefault();
      load();
    });
    $("case-reset").addEventListener("click", () => {
      $("case-filters").reset();
      load();
    });
  }

  function fileButtons() {
    const slot = $("case-file-slot");
    if (!slot || !window.ZhifaCaseFile) return;
    const me = (boot.user || {}).username;
    window.ZhifaCaseFile.attach(slot, { officers: [me] });
    window.ZhifaCaseFile.attach(slot, { mode: "simplified", officers: [me] }, true);
  }

  async function init() {
    if (!review) fileButtons();
    if (!review) await initFilters();
    await load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
