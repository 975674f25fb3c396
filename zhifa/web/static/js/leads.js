/* 线索列表: the leads with filters (kind, unit, status, time range), newest first, paged.
 * Data: GET /api/v1/leads (filters kind, unit, status, since = last event at or after, until =
 * first event at or before; paged, sorted by id ascending), /api/v1/units.
 *
 * The API sorts oldest first and has no sort parameter, so the newest-first page k is read as
 * the matching slice from the end: one request for the total, then the one or two API pages that
 * hold the slice. New leads (the live feed) refresh the first page by themselves. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const M = window.ZhifaMon;
  const TZ = boot.tz || "Asia/Shanghai";
  const PER_PAGE_CHOICES = [20, 50, 100];

  const form = document.getElementById("lead-filters");
  const table = document.getElementById("lead-table");
  const pagerEl = document.getElementById("lead-pager");
  const errorEl = document.getElementById("list-error");
  const noticeEl = document.getElementById("list-notice");
  const FILTERS = ["kind", "unit", "status", "since", "until"];
  const unitNames = {};

  const params = new URLSearchParams(location.search);
  const state = {
    filters: Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || ""])),
    page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1),
    perPage: PER_PAGE_CHOICES.includes(parseInt(params.get("per_page"), 10)) ? parseInt(params.get("per_page"), 10) : 20,
    seq: 0,
    unseen: 0,
  };

  // ------------------------------------------------------------------ times in the display zone

  const partsFmt = new Intl.DateTimeFormat("en-GB", {
    timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  /** Minutes the display zone is ahead of UTC at an instant. */
  function offsetAt(ms) {
    const p = {};
    for (const part of partsFmt.formatToParts(new Date(ms))) p[part.type] = part.value;
    const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
  }
  /** "YYYY-MM-DDTHH:mm" on the display zone's clock → ISO 8601 with its offset. */
  function zonedIso(value, seconds) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    if (!m) return "";
    const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    let off = offsetAt(wall);
    off = offsetAt(wall - off * 60000);
    const sign = off < 0 ? "-" : "+";
    const a = Math.abs(off);
    const hh = String(Math.floor(a / 60)).padStart(2, "0");
    const mm = String(a % 60).padStart(2, "0");
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${seconds}${sign}${hh}:${mm}`;
  }

  // ------------------------------------------------------------------ filters

  function fillSelects() {
    const kind = form.elements.namedItem("kind");
    for (const [k, title] of M.KINDS) kind.append(el("option", { value: k }, title));
    const status = form.elements.namedItem("status");
    for (const s of (boot.page && boot.page.statuses) || []) status.append(el("option", { value: s }, M.label(M.LEAD_STATUS, s)));
    for (const k of FILTERS) {
      const c = form.elements.namedItem(k);
      if (c && k !== "unit") c.value = state.filters[k];
    }
  }

  async function loadUnits() {
    const res = await api("/api/v1/units");
    if (!res.ok) return;
    const sel = form.elements.namedItem("unit");
    for (const u of res.data || []) {
      unitNames[u.code] = u.name;
      sel.append(el("option", { value: u.code }, M.unitText(u.name, u.code)));
    }
    sel.value = state.filters.unit;
  }

  function readFilters() {
    for (const k of FILTERS) state.filters[k] = String(form.elements.namedItem(k).value || "").trim();
  }

  function syncUrl() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
    if (state.page > 1) p.set("page", String(state.page));
    if (state.perPage !== 20) p.set("per_page", String(state.perPage));
    const q = p.toString();
    history.replaceState(null, "", location.pathname + (q ? `?${q}` : ""));
  }

  function apiUrl(page, perPage) {
    const f = state.filters;
    const p = new URLSearchParams();
    for (const k of ["kind", "unit", "status"]) if (f[k]) p.set(k, f[k]);
    if (f.since) p.set("since", zonedIso(f.since, "00"));
    if (f.until) p.set("until", zonedIso(f.until, "59"));
    p.set("page", String(page));
    p.set("per_page", String(perPage));
    return `/api/v1/leads?${p}`;
  }

  // ------------------------------------------------------------------ loading

  /** Newest-first page `page` of `per` rows, from an API that pages oldest first. */
  async function fetchNewestFirst(page, per) {
    const head = await api(apiUrl(1, 1));
    if (!head.ok) return { error: head };
    const total = head.data.total || 0;
    const end = total - (page - 1) * per; // exclusive, in the API's (ascending) order
    if (end <= 0) return { rows: [], total: total };
    const start = Math.max(0, end - per);
    const first = Math.floor(start / per) + 1;
    const last = Math.floor((end - 1) / per) + 1;
    const rows = [];
    for (let p = first; p <= last; p++) {
      const res = await api(apiUrl(p, per));
      if (!res.ok) return { error: res };
      const items = res.data.items || [];
      const offset = (p - 1) * per;
      items.forEach((item, i) => {
        if (offset + i >= start && offset + i < end) rows.push(item);
      });
    }
    return { rows: rows.reverse(), total: total };
  }

  function validate() {
    const f = state.filters;
    if (f.since && f.until && Date.parse(zonedIso(f.since, "00")) > Date.parse(zonedIso(f.until, "59"))) {
      return t("The start of the time range is after its end.");
    }
    return "";
  }

  async function load() {
    const seq = ++state.seq;
    const problem = validate();
    showError(errorEl, problem);
    if (problem) return;
    table.setAttribute("aria-busy", "true");
    const out = await fetchNewestFirst(state.page, state.perPage);
    if (seq !== state.seq) return;
    table.removeAttribute("aria-busy");
    if (out.error) {
      render([]);
      renderPager(0);
      const res = out.error;
      if (res.status === 404) showError(errorEl, t("Data service not available yet (404)."));
      else if (res.status === 403) showError(errorEl, `${t("You do not have permission to see this.")} ${res.error}`);
      else showError(errorEl, res.error);
      return;
    }
    const pages = Math.max(1, Math.ceil(out.total / state.perPage));
    if (state.page > pages && out.total > 0) {
      state.page = pages;
      syncUrl();
      return load();
    }
    if (state.page === 1) {
      state.unseen = 0;
      showNotice();
    }
    render(out.rows);
    renderPager(out.total);
    table.dataset.ready = "1";
  }

  function headers() {
    return Array.from(table.tHead.rows[0].cells).map((c) => c.textContent);
  }

  function render(rows) {
    const head = headers();
    const body = table.tBodies[0];
    if (!rows.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: head.length, class: "muted empty" }, t("No records"))));
      return;
    }
    body.replaceChildren(
      ...rows.map((r) => {
        const flags = M.flagBadges(r);
        const cells = [
          el("a", { href: M.leadUrl(r.id) }, `#${r.id}`),
          el(
            "span",
            {},
            el("a", { href: M.leadUrl(r.id), class: "lead-kind" }, M.kindTitle(r.kind)),
            r.severity && r.severity !== "normal" ? [" ", M.severityBadge(r.severity)] : null
          ),
          el("span", { class: "subject", dataset: { testid: "lead-subject" } }, M.subjectText(r.subject)),
          r.unit ? M.unitText(r.unit_name || unitNames[r.unit], r.unit) : el("span", { class: "muted" }, t("Not routed")),
          String(r.count),
          fmtTime(r.first_event_time),
          fmtTime(r.last_event_time),
          M.statusBadge(r.status),
          flags.length ? el("span", { class: "badges" }, flags) : "",
        ];
        return el(
          "tr",
          { dataset: { leadId: r.id, kind: r.kind, testid: "lead-row" } },
          cells.map((c, i) => el("td", { "data-label": head[i], class: [0, 4, 5, 6].includes(i) ? "nowrap" : undefined }, c))
        );
      })
    );
  }

  function renderPager(total) {
    const pages = Math.max(1, Math.ceil(total / state.perPage));
    const go = (p) => {
      state.page = p;
      syncUrl();
      load();
    };
    const perPage = el("select", { "aria-label": t("Rows per page") });
    for (const n of PER_PAGE_CHOICES) perPage.append(el("option", { value: n }, t("{count} per page", { count: n })));
    perPage.value = String(state.perPage);
    perPage.addEventListener("change", () => {
      state.perPage = parseInt(perPage.value, 10);
      go(1);
    });
    pagerEl.replaceChildren(
      el("span", { class: "pager-total", dataset: { testid: "list-total" } }, t("{count} records", { count: total })),
      el("button", { type: "button", class: "btn btn-sm", disabled: state.page <= 1, onclick: () => go(state.page - 1) }, t("Previous")),
      el("span", { class: "pager-page" }, t("Page {page} of {pages}", { page: state.page, pages: pages })),
      el("button", { type: "button", class: "btn btn-sm", disabled: state.page >= pages, onclick: () => go(state.page + 1) }, t("Next")),
      perPage
    );
  }

  // ------------------------------------------------------------------ live

  function showNotice() {
    if (!state.unseen) {
      noticeEl.hidden = true;
      return;
    }
    noticeEl.replaceChildren(
      t("{count} new leads since this page was shown.", { count: state.unseen }),
      " ",
      el("button", { type: "button", class: "btn btn-sm", onclick: () => { state.page = 1; syncUrl(); load(); } }, t("Show newest"))
    );
    noticeEl.hidden = false;
  }

  let refresh = null;
  function onLead() {
    if (state.page === 1) {
      clearTimeout(refresh);
      refresh = setTimeout(load, 300); // a burst of leads → one refresh
    } else {
      state.unseen += 1;
      showNotice();
    }
  }

  // ------------------------------------------------------------------ start

  async function start() {
    fillSelects();
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      readFilters();
      state.page = 1;
      syncUrl();
      load();
    });
    for (const name of ["kind", "unit", "status"]) form.elements.namedItem(name).addEventListener("change", () => form.requestSubmit());
    document.getElementById("lead-reset").addEventListener("click", () => {
      for (const k of FILTERS) form.elements.namedItem(k).value = "";
      form.requestSubmit();
    });
    await loadUnits();
    await load();
    if (window.ZhifaLive) window.ZhifaLive.on("lead", onLead);
  }
  start();
})();
