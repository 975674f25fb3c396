/* 立案 from a lead or a dispatch task, or on the workbench: a button (for the roles that may file,
 * from the step table) that opens a dialog prefilled from the lead or task — title, matter and its
 * enforcement item, the vehicle (the party is its registered owner unless named), facts, place,
 * the officers — and files the case through POST /api/v1/cases with `lead_id` or `task_id`, so
 * that the case API carries the lead's device records and the task's photos over as evidence with
 * their custody; then opens the case. In `simplified` mode the same dialog decides on the spot
 * (POST /api/v1/cases/on-the-spot, 简易程序) with its penalty. */
(function () {
  "use strict";
  const { t, api, el, showError, boot } = window.Zhifa;
  const $ = (id) => document.getElementById(id);
  const roles = new Set((boot.user || {}).roles || []);
  const fileRoles = (boot.page || {}).case_file_roles || [];

  const mayFile = () => roles.has("admin") || fileRoles.some((r) => roles.has(r));

  async function loadItems(matter, chosen) {
    const r = await api("/api/v1/items?kind=penalty");
    if (!r.ok) return;
    const select = $("cf-item");
    const items = (r.data || []).filter((i) => !matter || i.matter === matter);
    select.replaceChildren(el("option", { value: "" }, "—"), ...items.map((i) => el("option", { value: i.code }, `${i.code} ${i.title}`)));
    select.value = chosen || (items.length === 1 ? items[0].code : items.length ? items[0].code : "");
  }

  /**
   * Put the button into `slot`. `prefill`: {source: {lead_id} | {task_id}, sourceText, title, matter,
   * facts, place, unit_code, plate, plate_color}.
   */
  function attach(slot, prefill, more) {
    if (!slot || !mayFile()) return;
    const simplified = prefill.mode === "simplified";
    const label = simplified ? t("Decide on the spot") : t("File a case");
    const button = el("button", { type: "button", class: simplified ? "btn" : "btn btn-primary", dataset: { testid: simplified ? "case-spot-open" : "case-file-open" } }, label);
    button.addEventListener("click", () => open(prefill));
    if (more) slot.append(button);
    else slot.replaceChildren(button);
  }

  let current = null;
  let busy = false;

  function open(prefill) {
    current = prefill;
    const simplified = prefill.mode === "simplified";
    $("case-file-title").textContent = simplified ? t("Decide on the spot") : t("File a case");
    $("case-file-submit").textContent = simplified ? t("Decide and hand over") : t("File the case");
    $("cf-penalty").hidden = !simplified;
    $("cf-fine").value = "";
    $("cf-warning").checked = false;
    $("cf-waived").checked = false;
    $("cf-party-address").value = "";
    $("cf-party-phone").value = "";
    $("cf-officers").value = (prefill.officers || []).join(", ");
    $("case-file-source").textContent = prefill.sourceText || "";
    $("cf-title").value = prefill.title || "";
    $("cf-plate").value = prefill.plate || "";
    $("cf-plate-color").value = prefill.plate_color || "";
    $("cf-party-kind").value = "";
    $("cf-party-name").value = "";
    $("cf-party-id").value = "";
    $("cf-facts").value = prefill.facts || "";
    $("cf-place").value = prefill.place || "";
    showError($("case-file-error"), "");
    loadItems(prefill.matter, prefill.item_code);
    $("case-file-dialog").showModal();
  }

  async function submit(e) {
    e.preventDefault();
    if (busy || !current) return;
    const body = Object.assign({}, current.source, {
      title: $("cf-title").value.trim(),
      facts: $("cf-facts").value.trim(),
    });
    if (current.unit_code) body.unit_code = current.unit_code;
    if (current.matter) body.matter = current.matter;
    if ($("cf-item").value) body.item_code = $("cf-item").value;
    if ($("cf-place").value.trim()) body.place = $("cf-place").value.trim();
    const plate = $("cf-plate").value.trim();
    if (plate) body.vehicle = { plate: plate, plate_color: $("cf-plate-color").value.trim() || null };
    const party = {};
    if ($("cf-party-kind").value) party.kind = $("cf-party-kind").value;
    if ($("cf-party-name").value.trim()) party.name = $("cf-party-name").value.trim();
    if ($("cf-party-id").value.trim()) party.id_no = $("cf-party-id").value.trim();
    if ($("cf-party-address").value.trim()) party.address = $("cf-party-address").value.trim();
    if ($("cf-party-phone").value.trim()) party.phone = $("cf-party-phone").value.trim();
    if (Object.keys(party).length) body.party = party;
    const officers = $("cf-officers").value.split(/[\s,，、]+/).filter(Boolean);
    if (officers.length) body.officers = officers;
    const simplified = current.mode === "simplified";
    if (simplified) {
      body.penalty = { warning: $("cf-warning").checked };
      if ($("cf-fine").value.trim()) body.penalty.fine_yuan = $("cf-fine").value.trim();
      if ($("cf-waived").checked) body.statements_waived = true;
    }
    if (!body.title || !body.facts) {
      showError($("case-file-error"), t("The title and the facts are required."));
      return;
    }
    busy = true;
    const r = await api(simplified ? "/api/v1/cases/on-the-spot" : "/api/v1/cases", { json: body });
    busy = false;
    if (!r.ok) {
      const code = r.data && r.data.error && r.data.error.code;
      showError($("case-file-error"), `${r.status}${code ? " " + code : ""}: ${r.error}`);
      return;
    }
    location.href = `/cases/${r.data.id}`;
  }

  function init() {
    const form = $("case-file-form");
    if (!form) return;
    form.addEventListener("submit", submit);
    $("case-file-cancel").addEventListener("click", () => $("case-file-dialog").close());
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.ZhifaCaseFile = { attach, mayFile };
})();
