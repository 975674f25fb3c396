/* A small Leaflet map for the monitoring pages: the tiles and CRS of GET /api/v1/web/config
 * (offline by default), the jurisdiction lightly drawn as the base map, and toLatLng() for
 * WGS-84 points (shifted to GCJ-02 when the map is drawn in GCJ-02, as on the map page).
 * options: zoom, base (draw the jurisdiction), map (more Leaflet map options, e.g. preferCanvas). */
(function () {
  "use strict";
  const { api } = window.Zhifa;
  const ZHENJIANG = [32.12, 119.45];
  const BASE_STYLE = {
    road_section: { color: "#64748b", weight: 3, opacity: 0.7 },
    waterway_section: { color: "#38bdf8", weight: 4, opacity: 0.6, dashArray: "8 5", fillColor: "#38bdf8", fillOpacity: 0.15 },
    port_area: { color: "#64748b", weight: 1, opacity: 0.6, fillColor: "#94a3b8", fillOpacity: 0.25 },
    block: { color: "#94a3b8", weight: 1, opacity: 0.6, fillColor: "#cbd5e1", fillOpacity: 0.12 },
  };

  async function create(el, options) {
    const opts = Object.assign({ base: true, zoom: 10 }, options || {});
    const map = L.map(el, Object.assign({ zoomControl: true, minZoom: 5, maxZoom: 18, zoomSnap: 0.25 }, opts.map || {}));
    map.setView(ZHENJIANG, opts.zoom);
    map.attributionControl.setPrefix(false);
    L.control.scale({ imperial: false }).addTo(map);
    const cfg = await api("/api/v1/web/config");
    const crs = cfg.ok && cfg.data.tile_crs === "gcj02" ? "gcj02" : "wgs84";
    if (cfg.ok && cfg.data.tile_url) {
      L.tileLayer(cfg.data.tile_url, { attribution: cfg.data.tile_attribution || "", maxZoom: 18 }).addTo(map);
    } else {
      el.classList.add("map-offline");
    }
    function toLatLng(lon, lat) {
      const d = crs === "gcj02" ? window.ZhifaGcj02.wgs84ToGcj02(lon, lat) : [lon, lat];
      return L.latLng(d[1], d[0]);
    }
    if (opts.base) {
      const juris = await api("/api/v1/jurisdiction");
      if (juris.ok && juris.data && (juris.data.features || []).length) {
        L.geoJSON(juris.data, {
          interactive: false,
          coordsToLatLng: (c) => toLatLng(c[0], c[1]),
          style: (f) => BASE_STYLE[(f.properties || {}).kind] || BASE_STYLE.block,
        }).addTo(map);
      }
    }
    return { map: map, crs: crs, toLatLng: toLatLng };
  }

  window.ZhifaMiniMap = { create: create };
})();
