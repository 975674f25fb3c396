/* Organisation (组织机构): the unit tree and the operational share (执法业务机构占比 ≥ 80 %). */
(function () {
  "use strict";
  const { t, N_, api, el, showError } = window.Zhifa;

  const KIND_LABELS = {
    detachment: N_("Detachment"),
    department: N_("Department"),
    command_center: N_("Command center"),
    strip_brigade: N_("Strip brigade"),
    block_brigade: N_("Block brigade"),
    squadron: N_("Squadron"),
    external_authority: N_("External authority"),
  };
  const LINE_LABELS = { road: N_("Road administration"), port: N_("Port administration"), water: N_("Water") };
  const CATEGORY_LABELS = { business: N_("Business department"), administrative: N_("Administrative department") };

  const treeEl = document.getElementById("unit-tree");
  const errorEl = document.getElementById("page-error");

  function countUnits(node) {
    return 1 + (node.children || []).reduce((n, c) => n + countUnits(c), 0);
  }

  function unitLine(u) {
    const tags = [el("span", { class: `badge badge-kind-${u.kind}` }, t(KIND_LABELS[u.kind] || u.kind))];
    if (u.line) tags.push(el("span", { class: "badge badge-muted" }, t(LINE_LABELS[u.line] || u.line)));
    if (u.category) tags.push(el("span", { class: "badge badge-muted" }, t(CATEGORY_LABELS[u.category] || u.category)));
    const officers = el("a", { class: "small", href: `/officers?unit=${encodeURIComponent(u.code)}` }, t("Officers"));
    return [el("span", { class: "unit-name" }, u.name), el("code", { class: "unit-code" }, u.code), ...tags, officers];
  }

  function renderNode(u, depth) {
    const children = u.children || [];
    if (!children.length) {
      return el("li", { class: "tree-leaf", dataset: { unit: u.code } }, el("div", { class: "tree-row" }, unitLine(u)));
    }
    const details = el("details", { open: depth < 1 });
    details.append(
      el("summary", { class: "tree-row" }, unitLine(u), el("span", { class: "muted small" }, `(${children.length})`)),
      el("ul", {}, children.map((c) => renderNode(c, depth + 1)))
    );
    return el("li", { dataset: { unit: u.code } }, details);
  }

  async function loadTree() {
    const res = await api("/api/v1/units/tree");
    if (!res.ok) {
      treeEl.replaceChildren();
      showError(errorEl, res.error);
      return;
    }
    const roots = res.data || [];
    if (!roots.length) {
      treeEl.replaceChildren(el("p", { class: "muted" }, t("No units have been imported yet.")));
      return;
    }
    const total = roots.reduce((n, r) => n + countUnits(r), 0);
    treeEl.replaceChildren(
      el("p", { class: "muted small" }, t("{count} units", { count: total })),
      el("ul", { class: "tree-root" }, roots.map((r) => renderNode(r, 0)))
    );
  }

  async function loadShare() {
    const res = await api("/api/v1/units/operational-share");
    const figures = document.getElementById("share-figures");
    if (!res.ok) {
      showError(errorEl, res.error);
      return;
    }
    const s = res.data;
    const ok = s.meets_requirement;
    figures.replaceChildren(
      el("dt", {}, t("Operational units")), el("dd", {}, String(s.operational_units)),
      el("dt", {}, t("Administrative units")), el("dd", {}, String(s.administrative_units)),
      el("dt", {}, t("Units counted")), el("dd", {}, String(s.total_units)),
      el("dt", {}, t("Operational share")),
      el("dd", { dataset: { testid: "operational-pct" } }, `${s.operational_pct}%`),
      el("dt", {}, t("Requirement")),
      el("dd", {}, el("span", { class: ok ? "badge badge-ok" : "badge badge-warn" },
        ok ? t("Meets ≥{pct}%", { pct: s.required_pct }) : t("Below {pct}%", { pct: s.required_pct })))
    );
    drawGauge(s);
  }

  function drawGauge(s) {
    const box = document.getElementById("share-chart");
    if (!window.echarts || !box) return;
    const chart = window.echarts.init(box, null, { renderer: "canvas" });
    const req = s.required_pct / 100;
    chart.setOption({
      animation: false,
      series: [
        {
          type: "gauge",
          min: 0,
          max: 100,
          radius: "92%",
          center: ["50%", "58%"],
          startAngle: 200,
          endAngle: -20,
          progress: { show: true, width: 14, itemStyle: { color: s.meets_requirement ? "#1f8a4c" : "#c2410c" } },
          axisLine: { lineStyle: { width: 14, color: [[req, "#e5e7eb"], [1, "#d1fae5"]] } },
          axisTick: { show: false },
          splitLine: { distance: -14, length: 14, lineStyle: { color: "#fff", width: 2 } },
          axisLabel: { distance: 18, color: "#6b7280", fontSize: 11 },
          pointer: { show: false },
          anchor: { show: false },
          title: { offsetCenter: [0, "32%"], fontSize: 13, color: "#374151" },
          detail: { valueAnimation: false, offsetCenter: [0, "-4%"], fontSize: 28, fontWeight: 600,
                    formatter: "{value}%", color: "#111827" },
          data: [{ value: s.operational_pct, name: t("Operational share") }],
        },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  document.querySelectorAll("[data-tree]").forEach((b) =>
    b.addEventListener("click", () => {
      const open = b.dataset.tree === "open";
      treeEl.querySelectorAll("details").forEach((d) => (d.open = open));
    })
  );

  loadTree();
  loadShare();
})();
