/* Master-data lists: officers, duty catalogue, regulated entities, power-and-responsibility items,
 * audit log. One engine, one definition per dataset: filters, columns, where the rows come from,
 * how they are exported.
 *
 * Rows come from the JSON API. A list whose API pages ({items, total, page, per_page}) is paged by
 * the server; a list whose API answers with a plain array is searched and paged here. Export uses
 * the API's export endpoint where there is one (entities), else the rows the API gave this user are
 * written to CSV/XLSX in the browser (xlsx.js). */
(function () {
  "use strict";
  const { t, N_, api, el, showError, fmtTime, download, todayStamp, boot, lang } = window.Zhifa;
  const page = boot.page || {};
  const LIST_SEP = lang === "zh" ? "、" : ", ";
  const PER_PAGE_CHOICES = [20, 50, 100];
  const FETCH_PAGE = 500; // the largest page the APIs serve
  const EXPORT_CAP = 100000;

  // ------------------------------------------------------------------ value labels

  const ROLE = {
    admin: N_("System administrator"), duty_officer: N_("Duty officer"), leader: N_("Brigade leader"),
    officer: N_("Enforcement officer"), legal_reviewer: N_("Legal reviewer"), analyst: N_("Analyst"),
  };
  const DUTY_MODE = {
    strip: N_("Strip"), block: N_("Block"), department: N_("Department"), referral: N_("Referral"),
  };
  const LINE = { road: N_("Road administration"), port: N_("Port administration"), water: N_("Water") };
  const UNIT_KIND = {
    detachment: N_("Detachment"), department: N_("Department"), command_center: N_("Command center"),
    strip_brigade: N_("Strip brigade"), block_brigade: N_("Block brigade"), squadron: N_("Squadron"),
    external_authority: N_("External authority"),
  };
  const BUSINESS = {
    taxi: N_("Taxi"), ride_hailing: N_("Ride-hailing"), bus: N_("Bus and coach"), freight: N_("Road freight"),
    dangerous_goods: N_("Dangerous goods transport"), logistics: N_("Logistics"), repair: N_("Vehicle repair"),
    driving_school: N_("Driver training"), station: N_("Passenger and freight station"),
    port_operator: N_("Port operation"), shipping: N_("Waterway transport"), other: N_("Other"),
  };
  const PLATE_COLOR = {
    blue: N_("Blue"), yellow: N_("Yellow"), green: N_("Green (new energy)"),
    yellow_green: N_("Yellow-green (new energy)"), black: N_("Black"), white: N_("White"),
  };
  const CERT_STATUS = { valid: N_("Valid"), suspended: N_("Suspended"), revoked: N_("Revoked"), none: N_("None") };
  const SITE_TYPE = {
    railway_station: N_("Railway station"), bus_station: N_("Coach station"), airport: N_("Airport"),
    logistics_park: N_("Logistics park"), repair_shop: N_("Repair shop"), driving_school: N_("Driving school"),
    service_point: N_("Service point"), port_terminal: N_("Port terminal"),
  };
  const ID_TYPE = {
    resident_id: N_("Resident ID card"), passport: N_("Passport"), hk_macau_permit: N_("Hong Kong/Macao permit"),
    taiwan_permit: N_("Taiwan permit"), foreign_permanent_residence: N_("Foreign permanent residence card"),
  };
  const VEHICLE_TYPE = {
    truck: N_("Truck"), tractor: N_("Tractor unit"), trailer: N_("Trailer"), ride_hailing: N_("Ride-hailing"),
    taxi: N_("Taxi"), coach: N_("Coach"), bus: N_("Bus"), driving_school_car: N_("Training car"),
  };
  const SHIP_TYPE = {
    cargo: N_("Cargo ship"), tanker: N_("Tanker"), passenger: N_("Passenger ship"), tug: N_("Tug"),
    dredger: N_("Dredger"), fishing: N_("Fishing vessel"),
  };
  const SHIP_CERT = {
    registry: N_("Registration certificate"), survey: N_("Survey certificate"),
    safe_manning: N_("Minimum safe manning certificate"), pollution_insurance: N_("Oil pollution insurance certificate"),
  };
  const ITEM_KIND = { inspection: N_("Inspection"), penalty: N_("Penalty"), coercive: N_("Coercive measure") };
  const ACTION = {
    create: N_("Create"), update: N_("Update"), delete: N_("Delete"), import: N_("Import"),
    login: N_("Sign in"), issue_token: N_("Issue API token"), read: N_("Read"),
  };
  const ENTITY_TYPE = {
    user: N_("User"), unit: N_("Unit"), officer: N_("Officer"), duty: N_("Duty"),
    jurisdiction_edition: N_("Jurisdiction map edition"), party_branch: N_("Party branch"),
    enterprise: N_("Enterprise"), vehicle: N_("Vehicle"), vessel: N_("Vessel"), person: N_("Person"),
    site: N_("Site"), permit: N_("Oversize permit"), item: N_("Enforcement item"),
  };

  function label(map, v) {
    if (v === null || v === undefined || v === "") return "";
    return map[v] ? t(map[v]) : String(v);
  }
  function yesNo(v) {
    return v === true ? t("Yes") : v === false ? t("No") : "";
  }
  /** Any value as display text: lists joined, objects as their values. */
  function text(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.map(text).filter(Boolean).join(LIST_SEP);
    if (typeof v === "object") return Object.values(v).map(text).filter(Boolean).join(" ");
    if (typeof v === "boolean") return yesNo(v);
    return String(v);
  }
  /** An owner code (USCC or document number) with the registered name when the API knows it. */
  function owner(v, r) {
    if (!v) return "";
    return r.owner_name ? (lang === "zh" ? `${r.owner_name}（${v}）` : `${r.owner_name} (${v})`) : String(v);
  }
  function shipCertificates(v) {
    if (!Array.isArray(v)) return text(v);
    return v
      .map((c) => (c && typeof c === "object"
        ? `${label(SHIP_CERT, c.kind)} ${c.number || ""}${c.expiry ? (lang === "zh" ? `（至 ${c.expiry}）` : ` (to ${c.expiry})`) : ""}`
        : text(c)))
      .join("；");
  }
  const today = fmtTime(new Date()).slice(0, 10);
  function expiryCell(v) {
    if (!v) return "";
    const s = String(v).slice(0, 10);
    return s < today ? el("span", { class: "badge badge-warn", title: t("Expired") }, `${s} ${t("Expired")}`) : s;
  }

  const unitNames = {};
  function unitName(code) {
    if (!code) return "";
    return unitNames[code] ? (lang === "zh" ? `${unitNames[code]}（${code}）` : `${unitNames[code]} (${code})`) : code;
  }

  // ------------------------------------------------------------------ datasets

  const col = (key, lbl, fmt, render) => ({ key: key, label: lbl, fmt: fmt, render: render });
  const qs = (obj) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
    return p.toString();
  };
  const contains = (row, keys, q) => {
    const needle = q.trim().toLowerCase();
    return !needle || keys.some((k) => text(row[k]).toLowerCase().includes(needle));
  };

  const DATASETS = {
    officers: {
      file: "officers",
      needsUnits: true,
      filters: [
        { name: "q", type: "search", placeholder: N_("Name, badge number or certificate number") },
        { name: "unit", type: "unit" },
      ],
      url: (f, p, n) => `/api/v1/officers?${qs({ unit: f.unit, page: p, per_page: n })}`,
      // The officers API has no text search: with a search term, all officers of the unit are
      // fetched and filtered here.
      local: (f) => Boolean(f.q),
      match: (r, f) => contains(r, ["code", "name", "cert_no"], f.q || ""),
      columns: [
        col("code", N_("Badge number")),
        col("name", N_("Full name")),
        col("unit", N_("Unit"), (v) => unitName(v)),
        col("cert_no", N_("Enforcement certificate")),
        col("cert_expiry", N_("Certificate expiry"), (v) => text(v), expiryCell),
        col("roles", N_("Roles"), (v) => (v || []).map((r) => label(ROLE, r)).join(LIST_SEP)),
        col("on_duty", N_("On duty"), yesNo),
        col("phone", N_("Phone")),
        col("id_number", N_("ID number")),
      ],
    },
    duties: {
      file: "duties",
      needsUnits: true,
      filters: [
        { name: "q", type: "search", placeholder: N_("Code, duty, matter or legal basis") },
        { name: "mode", type: "select", label: N_("Mode"), options: DUTY_MODE },
      ],
      url: () => "/api/v1/duties",
      local: () => true,
      match: (r, f) =>
        (!f.mode || r.mode === f.mode) && contains(r, ["code", "title", "matters", "legal_basis", "unit"], f.q || ""),
      columns: [
        col("code", N_("Code")),
        col("title", N_("Duty")),
        col("matters", N_("Matters"), text),
        col("mode", N_("Mode"), (v) => label(DUTY_MODE, v)),
        col("unit", N_("Unit"), (v) => unitName(v)),
        col("unit_kind", N_("Unit kind"), (v) => label(UNIT_KIND, v)),
        col("line", N_("Line"), (v) => label(LINE, v)),
        col("legal_basis", N_("Legal basis")),
      ],
    },
    items: {
      file: "items",
      optionalApi: "items",
      filters: [
        { name: "q", type: "search", placeholder: N_("Code, title or matter") },
        { name: "kind", type: "select", label: N_("Kind"), options: ITEM_KIND },
      ],
      url: (f, p, n) => `/api/v1/items?${qs({ kind: f.kind, q: f.q, page: p, per_page: n })}`,
      local: () => false,
      columns: [
        col("code", N_("Code")),
        col("kind", N_("Kind"), (v) => label(ITEM_KIND, v)),
        col("title", N_("Title")),
        col("matter", N_("Matter")),
        col("legal_basis", N_("Legal basis"), (v) =>
          Array.isArray(v) ? v.map((b) => (typeof b === "object" && b ? `${b.law || ""} ${b.article || ""}`.trim() : text(b))).join("；") : text(v)
        ),
        col("discretion", N_("Discretion benchmarks"), (v) =>
          Array.isArray(v) && v.length ? v.map((d) => d.tier || "").filter(Boolean).join(LIST_SEP) || String(v.length) : ""
        ),
      ],
    },
    audit: {
      file: "audit",
      filters: [
        { name: "entity_type", type: "text", label: N_("Record type"), datalist: ENTITY_TYPE },
        { name: "actor", type: "text", label: N_("Done by") },
      ],
      url: (f, p, n) => `/api/v1/audit?${qs({ entity_type: f.entity_type, actor: f.actor, page: p, per_page: n })}`,
      local: () => false,
      columns: [
        col("at", N_("Time (Beijing)"), (v) => fmtTime(v)),
        col("actor", N_("Done by"), (v, r) => (r.actor_kind && r.actor_kind !== "user" ? `${v} (${r.actor_kind})` : v)),
        col("action", N_("Action"), (v) => label(ACTION, v)),
        col("entity_type", N_("Record type"), (v) => label(ENTITY_TYPE, v)),
        col("entity_id", N_("Record")),
        col("changes", N_("Changes"), (v, r) => changes(r).join("; "), (v, r) => changesCell(r)),
        col("note", N_("Note")),
      ],
    },
  };

  const ENTITY_COLUMNS = {
    enterprise: [
      col("uscc", N_("Unified social credit code")), col("name", N_("Name")),
      col("business", N_("Business"), (v) => label(BUSINESS, v)), col("address", N_("Address")),
      col("legal_rep", N_("Legal representative")), col("licence_no", N_("Licence number")),
      col("licence_expiry", N_("Licence expiry"), (v) => text(v), expiryCell), col("phone", N_("Phone")),
    ],
    vehicle: [
      col("plate", N_("Plate")), col("plate_color", N_("Plate colour"), (v) => label(PLATE_COLOR, v)),
      col("vehicle_type", N_("Vehicle type"), (v) => label(VEHICLE_TYPE, v)), col("axles", N_("Axles")),
      col("owner", N_("Owner"), owner),
      col("cert_no", N_("Transport certificate")), col("cert_status", N_("Certificate status"), (v) => label(CERT_STATUS, v)),
      col("cert_expiry", N_("Certificate expiry"), (v) => text(v), expiryCell),
    ],
    vessel: [
      col("mmsi", N_("MMSI")), col("name", N_("Ship name")), col("ship_type", N_("Ship type"), (v) => label(SHIP_TYPE, v)),
      col("owner", N_("Owner"), owner), col("certificates", N_("Certificates"), shipCertificates),
    ],
    person: [
      col("id_type", N_("Document type"), (v) => label(ID_TYPE, v)), col("id_number", N_("Document number")),
      col("name", N_("Full name")), col("phone", N_("Phone")),
    ],
    site: [
      col("code", N_("Code")), col("name", N_("Name")), col("site_type", N_("Site type"), (v) => label(SITE_TYPE, v)),
      col("address", N_("Address")), col("lon", N_("Longitude")), col("lat", N_("Latitude")),
    ],
    permit: [
      col("permit_no", N_("Permit number")), col("plate", N_("Plate")),
      col("plate_color", N_("Plate colour"), (v) => label(PLATE_COLOR, v)), col("route", N_("Route")),
      col("valid_from", N_("Valid from")), col("valid_to", N_("Valid to"), (v) => text(v), expiryCell),
    ],
  };
  const ENTITY_SEARCH_HINT = {
    enterprise: N_("Name or unified social credit code"),
    vehicle: N_("Plate or owner"),
    vessel: N_("Ship name or MMSI"),
    person: N_("Name or document number"),
    site: N_("Name or code"),
    permit: N_("Permit number or plate"),
  };

  if (page.dataset === "entities") {
    const kind = page.kind;
    DATASETS.entities = {
      file: kind,
      optionalApi: "entities",
      filters: [{ name: "q", type: "search", placeholder: ENTITY_SEARCH_HINT[kind] || N_("Search") }],
      url: (f, p, n) => `/api/v1/entities/${encodeURIComponent(kind)}?${qs({ q: f.q, page: p, per_page: n })}`,
      exportUrl: (f, fmt) => `/api/v1/entities/${encodeURIComponent(kind)}/export?${qs({ format: fmt, q: f.q })}`,
      local: () => false,
      columns: ENTITY_COLUMNS[kind] || [],
    };
  }

  function changes(r) {
    const before = r.before && typeof r.before === "object" ? r.before : {};
    const after = r.after && typeof r.after === "object" ? r.after : {};
    const keys = Array.from(new Set([...Object.keys(before), ...Object.keys(after)])).sort();
    const out = [];
    for (const k of keys) {
      const a = JSON.stringify(before[k]);
      const b = JSON.stringify(after[k]);
      if (a === b) continue;
      if (r.before === null || r.before === undefined) out.push(`${k}: ${text(after[k])}`);
      else out.push(`${k}: ${text(before[k]) || "∅"} → ${text(after[k]) || "∅"}`);
    }
    return out;
  }
  function changesCell(r) {
    const lines = changes(r);
    if (!lines.length) return "";
    if (lines.length === 1) return lines[0];
    return el(
      "details",
      { class: "changes" },
      el("summary", {}, t("{count} fields", { count: lines.length })),
      el("ul", {}, lines.map((l) => el("li", {}, l)))
    );
  }

  // ------------------------------------------------------------------ state and DOM

  const ds = DATASETS[page.dataset];
  const form = document.getElementById("list-toolbar");
  const filtersEl = document.getElementById("list-filters");
  const table = document.getElementById("list-table");
  const pagerEl = document.getElementById("list-pager");
  const errorEl = document.getElementById("list-error");
  const noticeEl = document.getElementById("list-notice");
  const exportButtons = Array.from(document.querySelectorAll("[data-export]"));

  const params = new URLSearchParams(location.search);
  const state = {
    filters: {},
    page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1),
    perPage: PER_PAGE_CHOICES.includes(parseInt(params.get("per_page"), 10)) ? parseInt(params.get("per_page"), 10) : 20,
    cacheKey: null,
    cacheRows: null,
    columns: ds ? ds.columns : [],
    seq: 0,
  };
  if (ds) for (const f of ds.filters) state.filters[f.name] = params.get(f.name) || "";

  function buildFilters() {
    for (const f of ds.filters) {
      const id = `filter-${f.name}`;
      let control;
      if (f.type === "search") {
        control = el("input", {
          type: "search", id: id, name: f.name, value: state.filters[f.name], autocomplete: "off",
          placeholder: t(f.placeholder || "Search"), "aria-label": t("Search"), dataset: { testid: "list-q" },
        });
        filtersEl.append(el("div", { class: "field field-grow" }, control));
        continue;
      }
      if (f.type === "select" || f.type === "unit") {
        control = el("select", { id: id, name: f.name, dataset: { testid: `filter-${f.name}` } });
        control.append(el("option", { value: "" }, f.type === "unit" ? t("All units") : t("All")));
        if (f.type === "select") {
          for (const [v, l] of Object.entries(f.options)) control.append(el("option", { value: v }, t(l)));
          control.value = state.filters[f.name];
        }
        control.addEventListener("change", () => form.requestSubmit());
      } else {
        control = el("input", { type: "text", id: id, name: f.name, value: state.filters[f.name], autocomplete: "off" });
        if (f.datalist) {
          const dl = el("datalist", { id: `${id}-list` });
          for (const [v, l] of Object.entries(f.datalist)) dl.append(el("option", { value: v }, t(l)));
          control.setAttribute("list", dl.id);
          filtersEl.append(dl);
        }
      }
      const labelText = f.type === "unit" ? t("Unit") : t(f.label);
      filtersEl.append(el("label", { class: "field field-inline", for: id }, el("span", {}, labelText), control));
    }
  }

  async function loadUnits() {
    const res = await api("/api/v1/units");
    if (!res.ok) return;
    const sel = filtersEl.querySelector("select[name=unit]");
    for (const u of res.data || []) unitNames[u.code] = u.name;
    if (sel) for (const u of res.data || []) sel.append(el("option", { value: u.code }, unitName(u.code)));
    if (sel) sel.value = state.filters.unit || "";
  }

  function readFilters() {
    for (const f of ds.filters) {
      const c = form.elements.namedItem(f.name);
      state.filters[f.name] = c ? String(c.value || "").trim() : "";
    }
  }

  function syncUrl() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
    if (state.page > 1) p.set("page", String(state.page));
    if (state.perPage !== 20) p.set("per_page", String(state.perPage));
    const q = p.toString();
    history.replaceState(null, "", location.pathname + (q ? `?${q}` : ""));
  }

  function unavailable() {
    return ds.optionalApi && boot.apis && boot.apis[ds.optionalApi] === false;
  }

  function showNotice(msg) {
    noticeEl.textContent = msg || "";
    noticeEl.hidden = !msg;
  }

  function notInstalledText() {
    return t("Data service not available yet (404).");
  }

  /** All rows matching the server-side filters (every page), for local search and export. */
  async function fetchAll(f) {
    const rows = [];
    for (let p = 1; p <= Math.ceil(EXPORT_CAP / FETCH_PAGE); p++) {
      const res = await api(ds.url(f, p, FETCH_PAGE));
      if (!res.ok) return { error: res };
      const data = res.data;
      if (Array.isArray(data)) return { rows: data };
      const items = (data && data.items) || [];
      rows.push(...items);
      if (!items.length || rows.length >= (data.total || 0)) break;
    }
    return { rows: rows };
  }

  async function fetchPage() {
    const f = state.filters;
    if (ds.local(f)) {
      const key = ds.url(f, 1, FETCH_PAGE);
      if (state.cacheKey !== key) {
        const all = await fetchAll(f);
        if (all.error) return { error: all.error };
        state.cacheKey = key;
        state.cacheRows = all.rows;
      }
      const matched = ds.match ? state.cacheRows.filter((r) => ds.match(r, f)) : state.cacheRows;
      const start = (state.page - 1) * state.perPage;
      return { rows: matched.slice(start, start + state.perPage), total: matched.length };
    }
    const res = await api(ds.url(f, state.page, state.perPage));
    if (!res.ok) return { error: res };
    const data = res.data;
    if (Array.isArray(data)) {
      // An API that answers with a plain list: page it here.
      const start = (state.page - 1) * state.perPage;
      return { rows: data.slice(start, start + state.perPage), total: data.length };
    }
    return { rows: (data && data.items) || [], total: (data && data.total) || 0 };
  }

  function handleError(res) {
    renderTable([]);
    renderPager(0);
    exportButtons.forEach((b) => (b.disabled = true));
    if (res.status === 404 && ds.optionalApi) {
      showNotice(notInstalledText());
      return;
    }
    if (res.status === 403) {
      showError(errorEl, `${t("You do not have permission to see this.")} ${res.error}`);
      return;
    }
    showError(errorEl, res.error);
  }

  async function load() {
    const seq = ++state.seq;
    showError(errorEl, "");
    table.setAttribute("aria-busy", "true");
    const out = await fetchPage();
    if (seq !== state.seq) return; // a newer request is on its way
    table.removeAttribute("aria-busy");
    if (out.error) {
      handleError(out.error);
      return;
    }
    exportButtons.forEach((b) => (b.disabled = false));
    const pages = Math.max(1, Math.ceil(out.total / state.perPage));
    if (state.page > pages && out.total > 0) {
      state.page = pages;
      syncUrl();
      return load();
    }
    if (out.rows.length && state.columns.length && !state.columns.some((c) => c.key in out.rows[0])) {
      // The API's field names are not the ones expected: show what it sent rather than blanks.
      state.columns = Object.keys(out.rows[0]).map((k) => col(k, k));
    }
    renderTable(out.rows);
    renderPager(out.total);
  }

  // Short codes, dates and numbers stay on one line; names and texts wrap.
  const NOWRAP = new Set([
    "code", "kind", "mode", "line", "unit_kind", "at", "action", "entity_type", "plate", "plate_color", "uscc",
    "mmsi", "permit_no", "cert_no", "cert_status", "cert_expiry", "licence_no", "licence_expiry", "valid_from",
    "valid_to", "phone", "id_number", "id_type", "on_duty", "axles", "site_type", "lon", "lat",
  ]);
  function tdClass(c) {
    return NOWRAP.has(c.key) || c.label === "Full name" ? "nowrap" : undefined;
  }

  function cellText(c, row) {
    const v = row[c.key];
    return c.fmt ? c.fmt(v, row) : text(v);
  }

  function renderTable(rows) {
    const head = el("tr", {}, state.columns.map((c) => el("th", { scope: "col" }, t(c.label))));
    table.tHead.replaceChildren(head);
    const body = table.tBodies[0];
    if (!rows.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: state.columns.length || 1, class: "muted empty" }, t("No records"))));
      return;
    }
    body.replaceChildren(
      ...rows.map((row) =>
        el("tr", {}, state.columns.map((c) => el("td", { class: tdClass(c), "data-label": t(c.label) }, c.render ? c.render(row[c.key], row) : cellText(c, row))))
      )
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

  // ------------------------------------------------------------------ export

  function filename(fmt) {
    return `${ds.file}-${todayStamp()}.${fmt}`;
  }

  function filenameFrom(res, fallback) {
    const cd = res.headers.get("content-disposition") || "";
    const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd);
    if (star) return decodeURIComponent(star[1].trim());
    const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(cd);
    return plain ? plain[1].trim() : fallback;
  }

  async function exportAs(fmt, button) {
    const original = button.textContent;
    button.disabled = true;
    button.textContent = t("Exporting…");
    showError(errorEl, "");
    try {
      if (ds.exportUrl) {
        let res;
        try {
          res = await fetch(ds.exportUrl(state.filters, fmt), { credentials: "same-origin" });
        } catch (e) {
          showError(errorEl, t("Network error; please check the connection."));
          return;
        }
        if (res.status === 401) return window.Zhifa.toLogin();
        if (!res.ok) {
          let body = null;
          try {
            body = await res.json();
          } catch (e) {
            body = null;
          }
          if (res.status === 404) showNotice(notInstalledText());
          else showError(errorEl, window.Zhifa.errorMessage(res.status, body));
          return;
        }
        download(await res.blob(), filenameFrom(res, filename(fmt)));
        return;
      }
      const all = await fetchAll(state.filters);
      if (all.error) {
        handleError(all.error);
        return;
      }
      const rows = ds.match ? all.rows.filter((r) => ds.match(r, state.filters)) : all.rows;
      const header = state.columns.map((c) => t(c.label));
      const body = rows.map((r) => state.columns.map((c) => cellText(c, r)));
      const title = document.querySelector(".page-head h1");
      const blob = fmt === "xlsx"
        ? window.ZhifaExport.toXlsx(header, body, title ? title.textContent : ds.file)
        : window.ZhifaExport.toCsv(header, body);
      download(blob, filename(fmt));
    } finally {
      button.disabled = false;
      button.textContent = original;
    }
  }

  // ------------------------------------------------------------------ start

  async function start() {
    if (!ds) return;
    buildFilters();
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      readFilters();
      state.page = 1;
      syncUrl();
      load();
    });
    exportButtons.forEach((b) => b.addEventListener("click", () => exportAs(b.dataset.export, b)));
    if (unavailable()) {
      handleError({ status: 404, error: notInstalledText() });
      return;
    }
    if (ds.needsUnits) await loadUnits();
    load();
  }

  start();
})();
