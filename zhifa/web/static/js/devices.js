/* 监测设备: the device list and map, coloured by status, with the evidence grade (行政处罚法
 * 第四十一条) and its problems. Data: GET /api/v1/devices, /api/v1/units. The list is read
 * again (at most every 5 s) while events arrive, so "last seen" and the status stay current. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, lang } = window.Zhifa;
  const M = window.ZhifaMon;
  const STATUS_COLOR = { active: "#15803d", offline: "#d97706", disabled: "#6b7280" };
  const LIST_SEP = lang === "zh" ? "；" : "; ";

  const table = document.getElementById("device-table");
  const summary = document.getElementById("device-summary");
  const errorEl = document.getElementById("page-error");
  const mapEl = document.getElementById("device-map");
  const unitNames = {};
  const markers = {};
  let mm = null;
  let layer = null;
  let fitted = false;

  function evidenceCell(d) {
    if (d.evidence_grade) {
      return el("span", { class: "badge badge-ok", dataset: { testid: "evidence-ok" } }, t("Evidence grade"));
    }
    const problems = (d.evidence_problems || []).map(M.problemText);
    const tip = problems.join(LIST_SEP);
    return el(
      "details",
      { class: "evidence-problems" },
      el(
        "summary",
        { title: tip, "aria-label": `${t("Not evidence grade")}: ${tip}` },
        el("span", { class: "badge badge-warn", title: tip, dataset: { testid: "evidence-not" } }, t("Not evidence grade"))
      ),
      el("ul", {}, problems.map((p) => el("li", {}, p)))
    );
  }

  function statusCell(status) {
    return el(
      "span",
      { class: "status", dataset: { status: status } },
      el("i", { class: `dot dot-${status}`, "aria-hidden": "true" }),
      M.label(M.DEVICE_STATUS, status)
    );
  }

  function render(devices) {
    const head = Array.from(table.tHead.rows[0].cells).map((c) => c.textContent);
    const body = table.tBodies[0];
    if (!devices.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: head.length, class: "muted empty" }, t("No devices have been imported yet."))));
    } else {
      body.replaceChildren(
        ...devices.map((d) => {
          const cells = [
            el("code", {}, d.code),
            d.name,
            M.label(M.DEVICE_KIND, d.kind),
            M.unitText(unitNames[d.unit], d.unit),
            statusCell(d.status),
            d.last_seen_at ? fmtTime(d.last_seen_at) : t("Never"),
            evidenceCell(d),
          ];
          const tr = el(
            "tr",
            { dataset: { code: d.code, testid: "device-row" } },
            cells.map((c, i) => el("td", { "data-label": head[i], class: i === 0 || i === 5 ? "nowrap" : undefined }, c))
          );
          tr.addEventListener("click", (e) => {
            if (e.target.closest("details")) return;
            focusDevice(d.code);
          });
          return tr;
        })
      );
    }
    const n = (s) => devices.filter((d) => d.status === s).length;
    summary.textContent = t("{count} devices: {active} online, {offline} offline, {disabled} disabled; {weak} not evidence grade", {
      count: devices.length, active: n("active"), offline: n("offline"), disabled: n("disabled"),
      weak: devices.filter((d) => !d.evidence_grade).length,
    });
    drawMarkers(devices);
  }

  function drawMarkers(devices) {
    if (!mm) return;
    if (layer) layer.remove();
    layer = L.featureGroup().addTo(mm.map);
    for (const d of devices) {
      if (typeof d.lon !== "number" || typeof d.lat !== "number") continue;
      const color = STATUS_COLOR[d.status] || STATUS_COLOR.disabled;
      const m = L.circleMarker(mm.toLatLng(d.lon, d.lat), {
        radius: 8, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.95,
      });
      const grade = d.evidence_grade ? t("Evidence grade") : t("Not evidence grade");
      m.bindTooltip(
        el(
          "div",
          { class: "map-tip" },
          el("strong", {}, `${d.name} (${d.code})`),
          el("div", {}, `${M.label(M.DEVICE_KIND, d.kind)} · ${M.label(M.DEVICE_STATUS, d.status)} · ${grade}`),
          el("div", {}, `${t("Last seen (Beijing)")}: ${d.last_seen_at ? fmtTime(d.last_seen_at) : t("Never")}`)
        )
      );
      m.addTo(layer);
      markers[d.code] = m;
    }
    if (!fitted && layer.getLayers().length) {
      fitted = true;
      mm.map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 13 });
    }
  }

  function focusDevice(code) {
    const m = markers[code];
    if (!m || !mm) return;
    mm.map.setView(m.getLatLng(), Math.max(mm.map.getZoom(), 13));
    m.openTooltip();
    mapEl.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  let reloadTimer = null;
  let lastLoad = 0;
  async function load() {
    lastLoad = Date.now();
    const res = await api("/api/v1/devices");
    if (!res.ok) {
      showError(errorEl, res.error);
      return;
    }
    showError(errorEl, "");
    render(res.data || []);
    mapEl.dataset.ready = "1";
  }
  function reloadSoon() {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      load();
    }, Math.max(0, 5000 - (Date.now() - lastLoad)));
  }

  async function start() {
    const [units, map] = await Promise.all([api("/api/v1/units"), window.ZhifaMiniMap.create(mapEl)]);
    if (units.ok) for (const u of units.data || []) unitNames[u.code] = u.name;
    mm = map;
    window.zhifaMap = map.map;
    await load();
    if (window.ZhifaLive) window.ZhifaLive.on("sensing", reloadSoon);
  }
  start();
})();
