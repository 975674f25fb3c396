/* 线索详情: one lead — what was measured (for an overload: gross mass, limit, tolerance,
 * excess), the rule and its legal basis, the routing (unit, mode, the router's Chinese reason),
 * the events, the evidence images (thumbnails and a lightbox; GET /api/v1/evidence/{sha256}) and
 * a small map with the lead's point.
 *
 * Data: GET /api/v1/leads/{id} once the monitoring API has it (boot.apis.lead), until then the
 * web helper GET /web/api/leads/{id} (lead_dict plus the rule and the events in detail). */
(function () {
  "use strict";
  const { t, N_, api, el, fmtTime, showError, boot, lang } = window.Zhifa;
  const M = window.ZhifaMon;
  const id = boot.page.lead_id;
  const LIST_SEP = lang === "zh" ? "；" : "; ";
  const SHA256 = /^[0-9a-f]{64}$/;

  // Known fields of a lead's details: label and unit. Others are shown under their own name.
  const DETAIL = {
    gross_kg: [N_("Gross mass"), "kg"],
    limit_kg: [N_("Limit for the axle class"), "kg"],
    tolerance_pct: [N_("Device tolerance"), "%"],
    excess_kg: [N_("Excess over the limit"), "kg"],
    axles: [N_("Axles"), ""],
    combination: [N_("Combination vehicle"), ""],
    single_drive_axle: [N_("Single drive axle"), ""],
    permit: [N_("Oversize permit"), ""],
    permitted: [N_("Holds an oversize permit"), ""],
    overloads_in_window: [N_("Overloads within a year"), ""],
    overload_leads: [N_("Overload leads within a year"), ""],
    problem: [N_("Problem"), ""],
    cert_no: [N_("Transport certificate"), ""],
    cert_expiry: [N_("Certificate expiry"), ""],
    vehicle_type: [N_("Vehicle type"), ""],
  };
  const ORDER = [
    "gross_kg", "limit_kg", "tolerance_pct", "excess_kg", "axles", "combination", "single_drive_axle", "permit", "permitted",
  ];
  const HIDDEN = new Set(["evidence_problems", "latest", "exceeded", "dimensions"]);
  const DIMENSION = { height: N_("Height"), width: N_("Width"), length: N_("Length") };
  const CERT_PROBLEM = { expired: N_("Expired"), revoked: N_("Revoked"), suspended: N_("Suspended") };

  const errorEl = document.getElementById("page-error");
  const bodyEl = document.getElementById("lead-body");

  function text(v) {
    if (v === null || v === undefined || v === "") return "";
    if (typeof v === "boolean") return v ? t("Yes") : t("No");
    if (Array.isArray(v)) return v.map(text).join(LIST_SEP);
    if (typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}: ${text(x)}`).join(LIST_SEP);
    return String(v);
  }
  function detailValue(key, v) {
    if (key === "problem") return M.label(CERT_PROBLEM, v);
    if (key === "permit" && !v) return t("None");
    const unit = DETAIL[key] ? DETAIL[key][1] : "";
    return typeof v === "boolean" || typeof v === "object" ? text(v) : M.qty(v, unit);
  }
  function pair(label, value, testid) {
    return [el("dt", {}, label), el("dd", { dataset: testid ? { testid: testid } : undefined }, value)];
  }

  // ------------------------------------------------------------------ sections

  function renderHead(lead) {
    document.getElementById("lead-title").textContent = `${t("Lead")} #${lead.id} · ${M.kindTitle(lead.kind)}`;
    document.title = `${t("Lead")} #${lead.id} · ${document.title.split(" · ").slice(-1)[0]}`;
    document.getElementById("lead-badges").replaceChildren(M.statusBadge(lead.status), M.severityBadge(lead.severity), ...M.flagBadges(lead));
  }

  function renderFacts(lead) {
    document.getElementById("lead-facts").replaceChildren(
      ...pair(t("Subject"), el("strong", {}, M.subjectText(lead.subject)), "lead-subject"),
      ...pair(t("Kind"), M.kindTitle(lead.kind)),
      ...pair(t("Status"), M.label(M.LEAD_STATUS, lead.status)),
      ...pair(t("Severity"), M.label(M.SEVERITY, lead.severity)),
      ...pair(t("Count"), String(lead.count), "lead-count"),
      ...pair(t("First event (Beijing)"), fmtTime(lead.first_event_time), "lead-first"),
      ...pair(t("Last event (Beijing)"), fmtTime(lead.last_event_time), "lead-last"),
      ...pair(t("Raised at (Beijing)"), fmtTime(lead.created_at))
    );
  }

  function renderDetails(lead) {
    const details = lead.details || {};
    const rows = [];
    const keys = [...ORDER.filter((k) => k in details), ...Object.keys(details).filter((k) => !ORDER.includes(k) && !HIDDEN.has(k)).sort()];
    for (const k of keys) {
      const label = DETAIL[k] ? t(DETAIL[k][0]) : k;
      rows.push(
        el(
          "tr",
          { dataset: { key: k } },
          el("th", { scope: "row" }, label),
          el("td", { dataset: { testid: `detail-${k}`, value: text(details[k]) }, class: k === "excess_kg" ? "strong" : undefined }, detailValue(k, details[k]))
        )
      );
    }
    for (const d of Array.isArray(details.exceeded) ? details.exceeded : []) {
      rows.push(
        el(
          "tr",
          { dataset: { key: `exceeded-${d.dimension}` } },
          el("th", { scope: "row" }, M.label(DIMENSION, d.dimension)),
          el("td", { dataset: { testid: `detail-${d.dimension}` } },
            t("{measured} m, limit {limit} m, over by {excess} m", { measured: d.measured_m, limit: d.limit_m, excess: d.excess_m }))
        )
      );
    }
    if (details.latest && typeof details.latest === "object" && lead.count > 1) {
      const l = details.latest;
      const summary = "gross_kg" in l
        ? t("Gross mass {gross} kg, excess {excess} kg", { gross: l.gross_kg, excess: l.excess_kg })
        : text(l);
      rows.push(el("tr", {}, el("th", { scope: "row" }, t("Latest event")), el("td", {}, summary)));
    }
    const tbody = document.querySelector("#lead-details tbody");
    tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { class: "muted empty" }, t("No records")))]));

    const warn = document.getElementById("evidence-warning");
    const problems = details.evidence_problems || [];
    if (lead.usable_as_evidence === false) {
      warn.replaceChildren(
        el("strong", {}, t("Not usable as evidence")),
        " ",
        t("The device's records may not be used as evidence for a penalty (行政处罚法 第四十一条)."),
        problems.length ? el("ul", {}, problems.map((p) => el("li", {}, M.problemText(p)))) : null
      );
      warn.hidden = false;
    }
  }

  function renderRule(lead) {
    const rule = lead.rule || {};
    document.querySelector('[data-testid="lead-rule"]').textContent = M.kindTitle(lead.kind) || rule.title || lead.kind;
    const version = document.querySelector('[data-testid="lead-rule-version"]');
    version.textContent = lead.rule_version || "";
    // A lead keeps the version of the rule that raised it; say so when the rule has changed since.
    const current = (boot.page.rule_versions || {})[lead.kind];
    if (current && lead.rule_version && current !== lead.rule_version) {
      version.after(" ", el("span", { class: "badge badge-warn" }, t("Current version: {version}", { version: current })));
    }
    document.querySelector('[data-testid="lead-legal-basis"]').textContent = lead.legal_basis || rule.legal_basis || "";
  }

  function renderRouting(lead) {
    const unit = document.querySelector('[data-testid="lead-unit"]');
    unit.textContent = lead.unit ? M.unitText(lead.unit_name, lead.unit) : t("Not routed");
    document.querySelector('[data-testid="lead-mode"]').textContent = M.label(M.MODE, lead.routing_mode) || "—";
    document.querySelector('[data-testid="lead-matter"]').textContent = lead.matter || "—";
    document.querySelector('[data-testid="lead-routing-reason"]').textContent = lead.routing_reason || "—";
  }

  /** Device code → name (GET /api/v1/devices), for events that name only the code. */
  const deviceNames = {};

  function renderEvents(lead) {
    const head = Array.from(document.querySelectorAll("#lead-events thead th")).map((c) => c.textContent);
    const tbody = document.querySelector("#lead-events tbody");
    const events = lead.events || [];
    if (!events.length) {
      tbody.replaceChildren(el("tr", {}, el("td", { colspan: head.length, class: "muted empty" }, t("No records"))));
      return;
    }
    tbody.replaceChildren(
      ...events.map((e) => {
        // An event folds into a lead only with the lead's subject: that is its plate or MMSI when
        // the event does not say.
        const who = e.plate ? M.plateText(e.plate, e.plate_color) : e.mmsi ? `MMSI ${e.mmsi}` : M.subjectText(lead.subject);
        const cells = [
          e.time ? fmtTime(e.time) : "",
          el("span", {}, e.device_name || deviceNames[e.device] || e.device, " ", el("code", { class: "muted" }, `${e.device} / ${e.id}`)),
          M.label(M.EVENT_TYPE, e.type),
          who,
        ];
        return el("tr", { dataset: { testid: "lead-event" } }, cells.map((c, i) => el("td", { "data-label": head[i], class: i === 0 ? "nowrap" : undefined }, c)));
      })
    );
  }

  // ------------------------------------------------------------------ images and the lightbox

  const box = document.getElementById("lightbox");
  const boxImg = document.getElementById("lightbox-img");
  const boxCaption = document.getElementById("lightbox-caption");
  let shown = [];
  let at = 0;

  function showImage(i) {
    at = (i + shown.length) % shown.length;
    boxImg.src = `/api/v1/evidence/${shown[at]}`;
    boxImg.alt = t("Evidence image {n} of {count}", { n: at + 1, count: shown.length });
    boxCaption.replaceChildren(
      t("Evidence image {n} of {count}", { n: at + 1, count: shown.length }),
      " · SHA-256 ",
      el("code", {}, shown[at])
    );
    document.getElementById("lightbox-prev").disabled = shown.length < 2;
    document.getElementById("lightbox-next").disabled = shown.length < 2;
  }
  function openBox(i) {
    showImage(i);
    if (!box.open) box.showModal();
  }
  document.getElementById("lightbox-close").addEventListener("click", () => box.close());
  document.getElementById("lightbox-prev").addEventListener("click", () => showImage(at - 1));
  document.getElementById("lightbox-next").addEventListener("click", () => showImage(at + 1));
  box.addEventListener("click", (e) => {
    if (e.target === box) box.close(); // a click on the backdrop
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "ArrowLeft") showImage(at - 1);
    if (e.key === "ArrowRight") showImage(at + 1);
  });

  function renderImages(lead) {
    shown = (lead.images || []).filter((h) => SHA256.test(String(h)));
    const list = document.getElementById("lead-images");
    document.getElementById("no-images").hidden = shown.length > 0;
    list.replaceChildren(
      ...shown.map((sha, i) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "thumb", title: t("Enlarge"), dataset: { testid: "lead-thumb" }, onclick: () => openBox(i) },
            el("img", {
              src: `/api/v1/evidence/${sha}`, loading: "lazy", width: 160, height: 120,
              alt: t("Evidence image {n} of {count}", { n: i + 1, count: shown.length }),
            })
          )
        )
      )
    );
  }

  // ------------------------------------------------------------------ map

  async function renderMap(lead) {
    const mapEl = document.getElementById("lead-map");
    const place = document.getElementById("lead-place");
    if (typeof lead.lon !== "number" || typeof lead.lat !== "number") {
      mapEl.hidden = true;
      place.textContent = t("The lead has no location.");
      return;
    }
    place.textContent = `WGS-84 ${lead.lon.toFixed(6)}, ${lead.lat.toFixed(6)}`;
    const mm = await window.ZhifaMiniMap.create(mapEl, { zoom: 13 });
    const p = mm.toLatLng(lead.lon, lead.lat);
    L.circleMarker(p, { radius: 9, color: "#fff", weight: 2, fillColor: "#b91c1c", fillOpacity: 0.95 })
      .bindTooltip(M.subjectText(lead.subject))
      .addTo(mm.map);
    mm.map.setView(p, 13);
    window.zhifaMap = mm.map;
    mapEl.dataset.ready = "1";
  }

  // ------------------------------------------------------------------ 立案 from this lead

  function fileButton(lead) {
    if (!window.ZhifaCaseFile) return;
    const [plate, color] = String(lead.subject || "").includes("/") ? lead.subject.split("/") : ["", ""];
    const d = lead.details || {};
    let facts = t("{time}: {subject}, {what}.", { time: fmtTime(lead.first_event_time), subject: M.subjectText(lead.subject), what: M.kindTitle(lead.kind) });
    if (d.gross_kg !== undefined && d.excess_kg !== undefined) {
      facts += " " + t("Gross mass {gross} kg, excess {excess} kg", { gross: d.gross_kg, excess: d.excess_kg });
    }
    window.ZhifaCaseFile.attach(document.getElementById("case-file-slot"), {
      source: { lead_id: lead.id },
      sourceText: `${t("Lead")} #${lead.id}`,
      title: M.kindTitle(lead.kind),
      matter: lead.matter,
      unit_code: lead.unit,
      plate: plate,
      plate_color: color,
      facts: facts,
      place: typeof lead.lon === "number" ? `WGS-84 ${lead.lon.toFixed(6)}, ${lead.lat.toFixed(6)}` : "",
      officers: [(window.Zhifa.boot.user || {}).username].filter(Boolean),
    });
  }

  // ------------------------------------------------------------------ start

  async function start() {
    const url = boot.apis && boot.apis.lead ? `/api/v1/leads/${encodeURIComponent(id)}` : `/web/api/leads/${encodeURIComponent(id)}`;
    const [res, devices] = await Promise.all([api(url), api("/api/v1/devices")]);
    if (devices.ok) for (const d of devices.data || []) deviceNames[d.code] = d.name;
    if (!res.ok) {
      showError(errorEl, res.status === 404 ? `${t("No such lead.")} ${res.error}` : res.error);
      return;
    }
    const lead = res.data;
    bodyEl.hidden = false;
    renderHead(lead);
    renderFacts(lead);
    renderDetails(lead);
    renderRule(lead);
    renderRouting(lead);
    renderEvents(lead);
    renderImages(lead);
    fileButton(lead);
    bodyEl.dataset.ready = "1";
    await renderMap(lead);
  }
  start();
})();
