/* The jurisdiction map (辖区地图) and the "who owns this?" tool (谁来管).
 *
 * Data: GET /api/v1/web/config (tiles, CRS), /api/v1/matters, /api/v1/jurisdiction (WGS-84
 * GeoJSON), /api/v1/route. The map is drawn in the tiles' CRS: with tile_crs = gcj02 every overlay
 * coordinate is shifted WGS-84 → GCJ-02 here (gcj02.js), and a clicked point is sent to the API
 * as it is, with crs=gcj02, for the server to convert back exactly. */
(function () {
  "use strict";
  const { t, N_, api, el, showError, lang } = window.Zhifa;

  const MODE_LABELS = {
    strip: N_("Strip"),
    block: N_("Block"),
    referral: N_("Referral"),
    fallback: N_("Fallback"),
    department: N_("Department"),
  };
  const MODE_GROUPS = {
    strip: N_("Strip matters"),
    block: N_("Block matters"),
    department: N_("Department matters"),
    referral: N_("Referred matters"),
  };
  const KIND_LABELS = {
    road_section: N_("Road section"),
    waterway_section: N_("Waterway section"),
    port_area: N_("Port area"),
    block: N_("Enforcement block"),
  };
  const DRAW_ORDER = ["block", "port_area", "waterway_section", "road_section"];
  const ZHENJIANG = [32.12, 119.45];

  // ------------------------------------------------------------------ colours

  /** FNV-1a 32-bit hash of a string. */
  function fnv1a(s) {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  /** A deterministic colour per unit code: the same unit has the same colour on every map. */
  function unitColor(code) {
    const h = fnv1a(String(code || ""));
    const hue = h % 360;
    const sat = 58 + ((h >>> 9) % 3) * 10; // 58, 68, 78 %
    const light = 36 + ((h >>> 13) % 3) * 6; // 36, 42, 48 %
    return `hsl(${hue}, ${sat}%, ${light}%)`;
  }

  function styleFor(feature) {
    const p = feature.properties || {};
    const color = unitColor(p.unit);
    const polygon = /Polygon$/.test((feature.geometry || {}).type || "");
    switch (p.kind) {
      case "road_section":
        return { color: color, weight: 5, opacity: 0.95, lineCap: "round" };
      case "waterway_section":
        return polygon
          ? { color: color, weight: 1.5, opacity: 0.9, fillColor: color, fillOpacity: 0.3, dashArray: "6 4" }
          : { color: color, weight: 6, opacity: 0.75, dashArray: "12 6" };
      case "port_area":
        return { color: color, weight: 2, opacity: 1, fillColor: color, fillOpacity: 0.45 };
      default: // block
        return { color: color, weight: 1.5, opacity: 0.8, fillColor: color, fillOpacity: 0.14 };
    }
  }

  // ------------------------------------------------------------------ formatting

  function fmtStake(route, km) {
    const metres = Math.round(Number(km) * 1000);
    const whole = Math.floor(metres / 1000);
    const rest = String(metres - whole * 1000).padStart(3, "0");
    return `${route || ""} K${whole}+${rest}`.trim();
  }

  function unitText(name, code) {
    if (!name) return code || "";
    return lang === "zh" ? `${name}（${code}）` : `${name} (${code})`;
  }

  function sep() {
    return lang === "zh" ? "：" : ": ";
  }

  function placeText(p) {
    let s = t(KIND_LABELS[p.kind] || p.kind) + sep() + (p.name || "");
    if (p.kind === "road_section" && p.route) {
      s += ` ${fmtStake(p.route, p.from_km)} – ${fmtStake("", p.to_km)}`;
    }
    return s;
  }

  // ------------------------------------------------------------------ state

  const state = {
    crs: "wgs84",
    features: [],
    unitBounds: {},
    marker: null,
    highlight: null,
    busy: false,
  };

  function toDisplay(lon, lat) {
    return state.crs === "gcj02" ? window.ZhifaGcj02.wgs84ToGcj02(lon, lat) : [lon, lat];
  }
  function toLatLng(lon, lat) {
    const d = toDisplay(lon, lat);
    return L.latLng(d[1], d[0]);
  }

  const mapEl = document.getElementById("map");
  const map = L.map(mapEl, { zoomControl: true, minZoom: 5, maxZoom: 18, zoomSnap: 0.25 });
  map.setView(ZHENJIANG, 10);
  map.attributionControl.setPrefix(false);
  L.control.scale({ imperial: false }).addTo(map);
  // For tests and for people at the console: the map, and the projection it is drawn in.
  window.zhifaMap = map;
  window.zhifaGeo = {
    toDisplay: toDisplay,
    get crs() {
      return state.crs;
    },
    unitColor: unitColor,
  };

  const form = document.getElementById("route-form");
  const matterSel = document.getElementById("matter");
  const atInput = document.getElementById("at");
  const crsSel = document.getElementById("at-crs");
  const errBox = document.getElementById("route-error");
  const resultBox = document.getElementById("route-result");
  const statusEl = document.getElementById("map-status");
  const legendEl = document.getElementById("legend-units");

  function field(name) {
    return resultBox.querySelector(`[data-testid="${name}"]`);
  }

  // ------------------------------------------------------------------ loading

  async function load() {
    const [cfg, matters, juris] = await Promise.all([
      api("/api/v1/web/config"),
      api("/api/v1/matters"),
      api("/api/v1/jurisdiction"),
    ]);
    const problems = [];
    if (cfg.ok) {
      state.crs = cfg.data.tile_crs === "gcj02" ? "gcj02" : "wgs84";
      if (cfg.data.tile_url) {
        L.tileLayer(cfg.data.tile_url, { attribution: cfg.data.tile_attribution || "", maxZoom: 18 }).addTo(map);
      } else {
        mapEl.classList.add("map-offline");
      }
      (cfg.data.warnings || []).forEach((w) => problems.push(w));
    } else {
      mapEl.classList.add("map-offline");
      problems.push(cfg.error);
    }
    crsSel.value = state.crs;

    if (matters.ok) fillMatters(matters.data || []);
    else problems.push(matters.error);

    if (juris.ok) drawJurisdiction(juris.data || {});
    else problems.push(juris.error);

    form.querySelector("button[type=submit]").disabled = false;
    statusEl.textContent = [statusText(juris.ok ? juris.data : null), ...problems].filter(Boolean).join(" · ");
    mapEl.dataset.ready = "1";

    const params = new URLSearchParams(location.search);
    if (params.get("matter")) matterSel.value = params.get("matter");
    if (params.get("at")) {
      atInput.value = params.get("at");
      if (params.get("crs")) crsSel.value = params.get("crs");
      if (matterSel.value) ask(atInput.value, crsSel.value, null);
    }
  }

  function statusText(fc) {
    if (!fc) return "";
    const n = (fc.features || []).length;
    if (!n) return t("No jurisdiction map has been imported yet.");
    const crs = state.crs === "gcj02" ? "GCJ-02" : "WGS-84";
    return t("Map edition {edition}, {count} features, drawn in {crs}", { edition: fc.edition, count: n, crs: crs });
  }

  function fillMatters(list) {
    matterSel.replaceChildren(el("option", { value: "" }, t("Pick a matter")));
    const groups = {};
    for (const m of list) (groups[m.mode] = groups[m.mode] || []).push(m);
    for (const mode of Object.keys(MODE_GROUPS).concat(Object.keys(groups))) {
      const items = groups[mode];
      if (!items) continue;
      delete groups[mode];
      const label = MODE_GROUPS[mode] ? t(MODE_GROUPS[mode]) : mode;
      const og = el("optgroup", { label: label });
      for (const m of items) {
        og.append(el("option", { value: m.code }, lang === "zh" ? `${m.title}（${m.code}）` : `${m.title} (${m.code})`));
      }
      matterSel.append(og);
    }
  }

  function drawJurisdiction(fc) {
    state.features = fc.features || [];
    const all = L.featureGroup();
    const units = {};
    for (const kind of DRAW_ORDER) {
      const feats = state.features.filter((f) => (f.properties || {}).kind === kind);
      if (!feats.length) continue;
      const layer = L.geoJSON(
        { type: "FeatureCollection", features: feats },
        {
          style: styleFor,
          coordsToLatLng: (c) => toLatLng(c[0], c[1]),
          onEachFeature: (f, lyr) => {
            const p = f.properties || {};
            lyr.bindTooltip(() => tooltipFor(p), { sticky: true, direction: "top", opacity: 0.95 });
            const u = (units[p.unit] = units[p.unit] || { code: p.unit, name: p.unit_name, kinds: {}, bounds: null });
            u.kinds[kind] = (u.kinds[kind] || 0) + 1;
            const b = lyr.getBounds();
            u.bounds = u.bounds ? u.bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
          },
        }
      );
      all.addLayer(layer);
    }
    all.addTo(map);
    // Not animated: the map is ready (data-ready) when it shows the whole jurisdiction.
    if (state.features.length) map.fitBounds(all.getBounds(), { padding: [16, 16], animate: false });
    drawLegend(units);
  }

  function tooltipFor(p) {
    return el(
      "div",
      { class: "map-tip" },
      el("strong", {}, p.name || ""),
      el("div", {}, placeText(p)),
      el("div", {}, t("Unit") + sep() + unitText(p.unit_name, p.unit))
    );
  }

  function drawLegend(units) {
    const codes = Object.keys(units).sort();
    legendEl.replaceChildren();
    for (const code of codes) {
      const u = units[code];
      const kinds = Object.keys(u.kinds)
        .map((k) => `${t(KIND_LABELS[k] || k)} ${u.kinds[k]}`)
        .join(lang === "zh" ? "、" : ", ");
      const swatch = el("i", { class: "swatch", "aria-hidden": "true" });
      swatch.style.background = unitColor(code);
      const btn = el(
        "button",
        { type: "button", class: "legend-item", title: t("Zoom to this unit"), dataset: { unit: code } },
        swatch,
        el("span", { class: "legend-name" }, unitText(u.name, code)),
        el("span", { class: "legend-kinds-text" }, kinds)
      );
      btn.addEventListener("click", () => u.bounds && map.fitBounds(u.bounds, { padding: [24, 24], maxZoom: 14 }));
      legendEl.append(el("li", {}, btn));
    }
  }

  // ------------------------------------------------------------------ routing

  async function ask(at, crs, clicked) {
    const matter = matterSel.value;
    if (!matter) {
      showResult(null);
      showError(errBox, t("Pick a matter first."));
      matterSel.focus();
      return;
    }
    if (!at) {
      showResult(null);
      showError(errBox, t("Enter a stake mark or lon,lat, or click the map."));
      atInput.focus();
      return;
    }
    const q = new URLSearchParams({ matter: matter, at: at });
    if (crs) q.set("crs", crs);
    form.classList.add("busy");
    const res = await api(`/api/v1/route?${q.toString()}`);
    form.classList.remove("busy");
    if (!res.ok) {
      showResult(null);
      clearMarks();
      showError(errBox, res.error);
      return;
    }
    showError(errBox, "");
    showResult(res.data);
    placeMarker(res.data, clicked);
  }

  function showResult(a) {
    if (!a) {
      resultBox.hidden = true;
      return;
    }
    field("route-unit").textContent = unitText(a.unit_name, a.unit);
    const mode = field("route-mode");
    mode.replaceChildren(el("span", { class: `badge badge-mode-${a.mode}` }, t(MODE_LABELS[a.mode] || a.mode)));
    field("route-outside").replaceChildren(
      a.outside_jurisdiction
        ? el("span", { class: "badge badge-warn" }, t("Yes"))
        : el("span", { class: "badge badge-ok" }, t("No"))
    );
    const place = a.section || a.block;
    let placeStr = "—";
    if (place) {
      placeStr = placeText(place);
      if (place.distance_m !== undefined && place.distance_m !== null && place.distance_m >= 0.5) {
        placeStr += lang === "zh" ? `（相距 ${Math.round(place.distance_m)} 米）` : ` (${Math.round(place.distance_m)} m away)`;
      }
    }
    field("route-place").textContent = placeStr;
    const d = a.duty;
    field("route-duty").textContent = d
      ? `${d.code} ${d.title}` + (d.legal_basis ? (lang === "zh" ? `（${d.legal_basis}）` : ` (${d.legal_basis})`) : "")
      : "—";
    field("route-location").textContent = locationText(a.location || {});
    field("route-reason").textContent = a.reason || "";
    resultBox.hidden = false;
  }

  function locationText(loc) {
    const parts = [];
    if (loc.stake) parts.push(loc.stake);
    if (loc.label && loc.label !== loc.stake) parts.push(loc.label);
    if (typeof loc.lon === "number" && typeof loc.lat === "number") {
      parts.push(`WGS-84 ${loc.lon.toFixed(6)}, ${loc.lat.toFixed(6)}`);
    }
    return parts.join(" · ") || "—";
  }

  function clearMarks() {
    if (state.marker) state.marker.remove();
    if (state.highlight) state.highlight.remove();
    state.marker = state.highlight = null;
  }

  function featureById(kind, id) {
    return state.features.find((f) => f.id === id && (f.properties || {}).kind === kind) || null;
  }

  /** Where a stake mark lies on its section: proportionally along the drawn line, as the server
   * places it (zhifa.jurisdiction.router._interpolate). WGS-84 [lon, lat]. */
  function alongSection(feature, km) {
    const p = feature.properties || {};
    const g = feature.geometry || {};
    let coords = null;
    if (g.type === "LineString") coords = g.coordinates;
    else if (g.type === "MultiLineString") coords = [].concat(...g.coordinates);
    if (!coords || !coords.length) return null;
    const span = Number(p.to_km) - Number(p.from_km);
    const frac = Math.min(Math.max(span ? (Number(km) - Number(p.from_km)) / span : 0, 0), 1);
    const seg = [];
    let total = 0;
    for (let i = 1; i < coords.length; i++) {
      const len = Math.hypot(coords[i][0] - coords[i - 1][0], coords[i][1] - coords[i - 1][1]);
      seg.push(len);
      total += len;
    }
    let target = frac * total;
    for (let i = 0; i < seg.length; i++) {
      if (target <= seg[i] || i === seg.length - 1) {
        const r = seg[i] ? Math.min(target / seg[i], 1) : 0;
        const a = coords[i];
        const b = coords[i + 1];
        return [a[0] + (b[0] - a[0]) * r, a[1] + (b[1] - a[1]) * r];
      }
      target -= seg[i];
    }
    return coords[0];
  }

  function placeMarker(a, clicked) {
    clearMarks();
    const loc = a.location || {};
    let feature = null;
    if (a.section) feature = featureById(a.section.kind, a.section.id);
    else if (a.block) feature = featureById("block", a.block.id);
    if (feature) {
      state.highlight = L.geoJSON(feature, {
        interactive: false,
        coordsToLatLng: (c) => toLatLng(c[0], c[1]),
        style: { color: "#f59e0b", weight: 9, opacity: 0.55, fillColor: "#f59e0b", fillOpacity: 0.08 },
      }).addTo(map);
      state.highlight.bringToBack();
    }
    let at = null;
    if (clicked) at = clicked;
    else if (typeof loc.lon === "number" && typeof loc.lat === "number") at = toLatLng(loc.lon, loc.lat);
    else if (feature && loc.km !== undefined) {
      const p = alongSection(feature, loc.km);
      if (p) at = toLatLng(p[0], p[1]);
    }
    if (!at) {
      if (state.highlight) map.fitBounds(state.highlight.getBounds(), { padding: [24, 24], maxZoom: 14 });
      return;
    }
    state.marker = L.marker(at, { title: a.unit_name, keyboard: false })
      .bindTooltip(el("span", {}, unitText(a.unit_name, a.unit)), { permanent: true, direction: "top", offset: [0, -36] })
      .addTo(map);
    if (!map.getBounds().pad(-0.05).contains(at)) map.panTo(at);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    ask(atInput.value.trim(), crsSel.value, null);
  });

  map.on("click", (e) => {
    // The hover tooltip of the clicked feature would hide the answer's marker.
    map.eachLayer((l) => {
      if (l !== state.marker && l.getTooltip && l.getTooltip() && l.isTooltipOpen()) l.closeTooltip();
    });
    const ll = e.latlng.wrap();
    atInput.value = `${ll.lng.toFixed(6)},${ll.lat.toFixed(6)}`;
    crsSel.value = state.crs;
    ask(atInput.value, state.crs, e.latlng);
  });

  load();
})();
