/* 结果问效 — closed-loop figures per unit and period (GET /api/v1/dispatch/figures): a table with
 * every figure and its numerator and denominator, and an ECharts chart of the on-time rates and
 * the returned rate per unit, with the mean handling time on a second axis. The period is given
 * in Beijing dates, both days included ([from 00:00, the day after "to" 00:00) +08:00). */
(function () {
  "use strict";
  const { t, api, el, showError, download, todayStamp, lang } = window.Zhifa;
  const D = window.ZhifaDispatch;
  const $ = (id) => document.getElementById(id);
  const errorEl = $("page-error");
  const table = $("fig-table");
  let chart = null;
  let last = null;

  function beijingDay(offsetDays) {
    const now = new Date(D.clock.now() + offsetDays * 86400000);
    return window.Zhifa.fmtTime(now).slice(0, 10);
  }
  function nextDay(day) {
    const d = new Date(`${day}T00:00:00+08:00`);
    return window.Zhifa.fmtTime(new Date(d.getTime() + 86400000)).slice(0, 10);
  }

  function pct(rate) {
    return rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`;
  }
  function rateCell(rate, n, d) {
    return rate === null || rate === undefined ? "—" : `${pct(rate)}（${n}/${d}）`;
  }
  function cells(r) {
    return [
      String(r.leads),
      String(r.dispatched),
      String(r.closed),
      rateCell(r.accept_on_time_rate, r.accept_on_time, r.accept_decided),
      rateCell(r.arrive_on_time_rate, r.arrive_on_time, r.arrive_decided),
      rateCell(r.feedback_on_time_rate, r.feedback_on_time, r.feedback_decided),
      rateCell(r.returned_rate, r.returned, r.handled),
      r.mean_handling_min === null ? "—" : String(r.mean_handling_min),
    ];
  }
  function unitName(r) {
    return D.unitText(r.unit_name, r.unit);
  }

  function render(data) {
    last = data;
    const head = Array.from(table.tHead.rows[0].cells).map((c) => c.textContent);
    const body = table.tBodies[0];
    if (!data.units.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: head.length, class: "muted empty" }, t("No tasks in this period."))));
    } else {
      const row = (r, name, total) =>
        el(
          "tr",
          { class: total ? "row-total" : undefined, dataset: { testid: total ? "fig-total" : "fig-row", unit: r.unit || "" } },
          [name, ...cells(r)].map((c, i) => el(i === 0 ? "th" : "td", { "data-label": head[i], scope: i === 0 ? "row" : undefined }, c))
        );
      body.replaceChildren(...data.units.map((r) => row(r, unitName(r), false)), row(data.total, t("Total"), true));
    }
    $("fig-period").textContent = t("{since} to {until} (Beijing)", {
      since: window.Zhifa.fmtTime(data.since).slice(0, 16), until: window.Zhifa.fmtTime(data.until).slice(0, 16),
    });
    const o = data.offsite || {};
    $("fig-offsite").textContent = t("Off-site: {cases} cases; share of case hand-overs with off-site evidence: {share}.", {
      cases: o.cases ?? 0, share: pct(o.offsite_share),
    });
    drawChart(data);
    table.dataset.ready = "1";
  }

  function drawChart(data) {
    const box = $("fig-chart");
    if (!window.echarts || !box) return;
    if (!chart) {
      chart = window.echarts.init(box, null, { renderer: "canvas" });
      window.addEventListener("resize", () => chart.resize());
    }
    const units = data.units.map((r) => r.unit_name || r.unit);
    const series = (key, name) => ({
      name: name, type: "bar", yAxisIndex: 0, barMaxWidth: 36,
      data: data.units.map((r) => (r[key] === null ? null : Math.round(r[key] * 1000) / 10)),
    });
    chart.setOption(
      {
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 48, right: 56, top: 40, bottom: 60 },
        xAxis: { type: "category", data: units, axisLabel: { interval: 0, rotate: units.length > 6 ? 30 : 0 } },
        yAxis: [
          { type: "value", name: "%", min: 0, max: 100 },
          { type: "value", name: t("min"), min: 0, splitLine: { show: false } },
        ],
        series: [
          series("accept_on_time_rate", t("Accepted on time")),
          series("arrive_on_time_rate", t("Arrived on time")),
          series("feedback_on_time_rate", t("Feedback on time")),
          series("returned_rate", t("Returned rate")),
          {
            name: t("Mean handling time (min)"), type: "line", yAxisIndex: 1,
            data: data.units.map((r) => r.mean_handling_min),
          },
        ],
      },
      true
    );
  }

  function query() {
    const since = $("fig-since").value;
    const until = $("fig-until").value;
    const q = new URLSearchParams();
    if (since) q.set("since", `${since}T00:00:00+08:00`);
    if (until) q.set("until", `${nextDay(until)}T00:00:00+08:00`);
    if ($("fig-unit").value) q.set("unit", $("fig-unit").value);
    return q;
  }

  async function load() {
    if ($("fig-since").value && $("fig-until").value && $("fig-since").value > $("fig-until").value) {
      showError(errorEl, t("The start of the time range is after its end."));
      return;
    }
    const q = query();
    history.replaceState(null, "", `${location.pathname}?${q}`);
    const res = await api(`/api/v1/dispatch/figures?${q}`);
    if (!res.ok) {
      showError(errorEl, res.error);
      return;
    }
    showError(errorEl, "");
    render(res.data);
  }

  function exportCsv() {
    if (!last) return;
    const head = Array.from(table.tHead.rows[0].cells).map((c) => c.textContent);
    const rows = [...last.units.map((r) => [unitName(r), ...cells(r)]), [t("Total"), ...cells(last.total)]];
    download(window.ZhifaExport.toCsv(head, rows), `${lang === "zh" ? "结果问效" : "closed-loop-figures"}-${todayStamp()}.csv`);
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    const day = (v) => (v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : "");
    $("fig-since").value = day(params.get("since")) || beijingDay(-29);
    // The URL keeps the exclusive end (the day after "to"); the field shows the last day.
    const until = day(params.get("until"));
    $("fig-until").value = until ? window.Zhifa.fmtTime(new Date(new Date(`${until}T00:00:00+08:00`).getTime() - 86400000)).slice(0, 10) : beijingDay(0);
    const units = await api("/api/v1/units");
    if (units.ok) {
      const select = $("fig-unit");
      for (const u of units.data || []) select.append(el("option", { value: u.code }, D.unitText(u.name, u.code)));
      select.value = params.get("unit") || "";
    }
    $("fig-form").addEventListener("submit", (e) => {
      e.preventDefault();
      load();
    });
    $("fig-csv").addEventListener("click", exportCsv);
    load();
  }
  start();
})();
