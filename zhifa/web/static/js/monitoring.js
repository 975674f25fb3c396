/* Shared labels and helpers of the monitoring pages (监测预警): event types, device kinds and
 * statuses, lead statuses and severities, plates, the evidence-grade problems. Rule titles come
 * from the page (boot.page.kinds: the rules' own Chinese titles, or English). */
(function () {
  "use strict";
  const { t, N_, lang, boot, el } = window.Zhifa;

  const EVENT_TYPE = {
    plate_capture: N_("Plate capture"), wim: N_("Weigh-in-motion"), ship_passage: N_("Ship passage"), ais: N_("AIS message"),
  };
  const DEVICE_KIND = {
    camera: N_("Camera checkpoint"), wim: N_("Weigh-in-motion"), ais_receiver: N_("AIS base station"),
    checkpoint: N_("Waterway checkpoint"),
  };
  const DEVICE_STATUS = { active: N_("Online"), offline: N_("Offline"), disabled: N_("Disabled") };
  const LEAD_STATUS = {
    new: N_("New"), confirmed: N_("Confirmed"), dispatched: N_("Dispatched"), dismissed: N_("Dismissed"),
    merged: N_("Merged"), closed: N_("Closed"), ended: N_("Ended"),
  };
  const SEVERITY = { high: N_("High"), normal: N_("Normal"), low: N_("Low") };
  const PLATE_COLOR = {
    blue: N_("Blue"), yellow: N_("Yellow"), green: N_("Green (new energy)"),
    yellow_green: N_("Yellow-green (new energy)"), black: N_("Black"), white: N_("White"),
  };
  const MODE = {
    strip: N_("Strip"), block: N_("Block"), referral: N_("Referral"), fallback: N_("Fallback"),
    department: N_("Department"),
  };
  // zhifa.sensing.service.evidence_grade's reasons (English with the Chinese term), shown translated.
  const PROBLEMS = [
    [/^not legally and technically reviewed/i, N_("Not legally and technically reviewed")],
    [/^location not published/i, N_("Location not published")],
    [/^metrological verification/i, N_("Metrological verification missing or expired (JJG 907)")],
  ];

  function label(map, v) {
    if (v === null || v === undefined || v === "") return "";
    return map[v] ? t(map[v]) : String(v);
  }
  // [kind, title] pairs in the rules' order.
  const KINDS = (boot.page && boot.page.kinds) || [];
  const KIND_TITLE = Object.fromEntries(KINDS);
  function kindTitle(kind) {
    return KIND_TITLE[kind] || kind || "";
  }
  function plateText(plate, color) {
    if (!plate) return "";
    return color ? `${plate} ${label(PLATE_COLOR, color)}` : plate;
  }
  /** A lead's subject: "苏L12345/yellow" → "苏L12345 黄牌"; MMSIs and passages as they are. */
  function subjectText(subject) {
    if (!subject) return "";
    const m = /^(.+)\/(blue|yellow|green|yellow_green|black|white)$/.exec(subject);
    return m ? plateText(m[1], m[2]) : subject;
  }
  function problemText(p) {
    for (const [re, key] of PROBLEMS) if (re.test(p)) return t(key);
    return String(p);
  }
  function unitText(name, code) {
    if (!code) return "";
    if (!name) return code;
    return lang === "zh" ? `${name}（${code}）` : `${name} (${code})`;
  }
  function leadUrl(id) {
    return `/monitoring/leads/${encodeURIComponent(id)}`;
  }
  function statusBadge(status) {
    return el("span", { class: `badge badge-lead-${status}`, dataset: { testid: "lead-status" } }, label(LEAD_STATUS, status));
  }
  function severityBadge(severity) {
    return el("span", { class: `badge badge-sev-${severity}` }, t("Severity: {level}", { level: label(SEVERITY, severity) }));
  }
  /** The permitted / not-usable-as-evidence badges of a lead (none for an ordinary lead). */
  function flagBadges(lead) {
    const out = [];
    if (lead.permitted) {
      out.push(el("span", { class: "badge badge-permit", dataset: { testid: "badge-permitted" } }, t("Holds an oversize permit")));
    }
    if (lead.usable_as_evidence === false) {
      out.push(el("span", { class: "badge badge-warn", dataset: { testid: "badge-not-evidence" } }, t("Not usable as evidence")));
    }
    return out;
  }
  /** A number as the API sends it (integers, or exact decimal text), with a unit. */
  function qty(v, unit) {
    if (v === null || v === undefined || v === "") return "";
    return unit ? `${v} ${unit}` : String(v);
  }

  window.ZhifaMon = {
    KINDS, EVENT_TYPE, DEVICE_KIND, DEVICE_STATUS, LEAD_STATUS, SEVERITY, PLATE_COLOR, MODE,
    label, kindTitle, plateText, subjectText, problemText, unitText, leadUrl, statusBadge, severityBadge, flagBadges, qty,
  };
})();
