/* A Leaflet layer that draws many points (tens of thousands of leads and tasks) on one canvas.
 *
 * Leaflet's own circle markers are one object (and one path) each; at 20,000 they take seconds
 * to add. Here a point is a plain record: its projection at zoom 0 is computed once, each redraw
 * scales it to the current zoom, and points of the same style are filled in one path. Clicks and
 * hovers are found through a grid of the drawn positions (16 px cells).
 *
 *   const layer = new ZhifaPointLayer({style: (data) => ({color, fill, radius, ring}), tooltip: (data) => Node});
 *   layer.setPoints([{id, latlng, data}, ...]); layer.upsert(id, latlng, data); layer.remove(id);
 *   layer.on("pointclick", (e) => e.point.data);
 */
(function () {
  "use strict";
  const CELL = 16;

  const PointLayer = L.Layer.extend({
    options: { pane: "overlayPane", tolerance: 7, style: null, tooltip: null, label: "" },

    initialize(options) {
      L.setOptions(this, options);
      this._points = new Map();
      this._grid = new Map();
      this._frame = null;
      this._hover = null;
    },

    onAdd(map) {
      this._canvas = L.DomUtil.create("canvas", "zhifa-points leaflet-zoom-hide");
      if (this.options.label) this._canvas.dataset.layer = this.options.label;
      this.getPane().appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._schedule, this);
      map.on("click", this._onClick, this);
      map.on("mousemove", this._onMove, this);
      this._draw();
    },

    onRemove(map) {
      map.off("moveend zoomend resize viewreset", this._schedule, this);
      map.off("click", this._onClick, this);
      map.off("mousemove", this._onMove, this);
      if (this._frame) cancelAnimationFrame(this._frame);
      this._frame = null;
      this._canvas.remove();
      this._grid.clear();
      this._setHover(null);
    },

    _project(latlng) {
      const p = L.CRS.EPSG3857.latLngToPoint(latlng, 0);
      return [p.x, p.y];
    },

    setPoints(points) {
      this._points.clear();
      for (const p of points) this._points.set(p.id, { id: p.id, latlng: p.latlng, data: p.data, xy: this._project(p.latlng) });
      this._schedule();
    },
    upsert(id, latlng, data) {
      if (!latlng) {
        this.remove(id);
        return;
      }
      this._points.set(id, { id: id, latlng: latlng, data: data, xy: this._project(latlng) });
      this._schedule();
    },
    remove(id) {
      if (this._points.delete(id)) this._schedule();
    },
    has(id) {
      return this._points.has(id);
    },
    count() {
      return this._points.size;
    },
    /** Redraw with the styles as they are now (e.g. a deadline passed). */
    refresh() {
      this._schedule();
    },
    getBounds() {
      const b = L.latLngBounds([]);
      for (const p of this._points.values()) b.extend(p.latlng);
      return b;
    },

    _schedule() {
      if (!this._map || this._frame) return;
      this._frame = requestAnimationFrame(() => {
        this._frame = null;
        this._draw();
      });
    },

    /** Draw now (the wall calls this once before it says it has rendered). */
    draw() {
      if (this._frame) cancelAnimationFrame(this._frame);
      this._frame = null;
      if (this._map) this._draw();
    },

    _draw() {
      const map = this._map;
      const size = map.getSize();
      const ratio = window.devicePixelRatio || 1;
      const canvas = this._canvas;
      canvas.width = Math.round(size.x * ratio);
      canvas.height = Math.round(size.y * ratio);
      canvas.style.width = `${size.x}px`;
      canvas.style.height = `${size.y}px`;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);

      const crs = L.CRS.EPSG3857; // the points are projected with it at zoom 0 (Leaflet's default CRS)
      const scale = crs.scale(map.getZoom()) / crs.scale(0);
      const origin = map.getPixelBounds().min;
      const groups = new Map();
      const grid = new Map();
      const pad = 12;
      for (const p of this._points.values()) {
        const x = p.xy[0] * scale - origin.x;
        const y = p.xy[1] * scale - origin.y;
        if (x < -pad || y < -pad || x > size.x + pad || y > size.y + pad) continue;
        const s = this.options.style(p.data);
        const key = `${s.fill}|${s.color}|${s.radius}|${s.weight || 1}|${s.ring || ""}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { s: s, xs: [], ys: [] }));
        g.xs.push(x);
        g.ys.push(y);
        const cell = `${Math.floor(x / CELL)},${Math.floor(y / CELL)}`;
        let list = grid.get(cell);
        if (!list) grid.set(cell, (list = []));
        list.push([x, y, p.id]);
      }
      // Draw the most urgent styles last (on top): groups with a ring (overdue) after the others.
      const ordered = [...groups.values()].sort((a, b) => (a.s.ring ? 1 : 0) - (b.s.ring ? 1 : 0) || (a.s.z || 0) - (b.s.z || 0));
      for (const g of ordered) {
        const r = g.s.radius;
        ctx.beginPath();
        for (let i = 0; i < g.xs.length; i++) {
          ctx.moveTo(g.xs[i] + r, g.ys[i]);
          ctx.arc(g.xs[i], g.ys[i], r, 0, 2 * Math.PI);
        }
        ctx.fillStyle = g.s.fill;
        ctx.fill();
        ctx.lineWidth = g.s.weight || 1;
        ctx.strokeStyle = g.s.color;
        ctx.stroke();
        if (g.s.ring) {
          ctx.beginPath();
          for (let i = 0; i < g.xs.length; i++) {
            ctx.moveTo(g.xs[i] + r + 3, g.ys[i]);
            ctx.arc(g.xs[i], g.ys[i], r + 3, 0, 2 * Math.PI);
          }
          ctx.lineWidth = 2;
          ctx.strokeStyle = g.s.ring;
          ctx.stroke();
        }
      }
      this._grid = grid;
      this._drawn = [...groups.values()].reduce((n, g) => n + g.xs.length, 0);
      canvas.dataset.drawn = String(this._drawn);
      this.fire("drawn", { count: this._drawn });
    },

    /** The nearest drawn point within the tolerance of a container point, or null. */
    hit(containerPoint) {
      const tol = this.options.tolerance;
      const cx = Math.floor(containerPoint.x / CELL);
      const cy = Math.floor(containerPoint.y / CELL);
      let best = null;
      let bestD = tol * tol;
      for (let i = cx - 1; i <= cx + 1; i++) {
        for (let j = cy - 1; j <= cy + 1; j++) {
          for (const [x, y, id] of this._grid.get(`${i},${j}`) || []) {
            const d = (x - containerPoint.x) ** 2 + (y - containerPoint.y) ** 2;
            if (d <= bestD) {
              bestD = d;
              best = id;
            }
          }
        }
      }
      return best === null ? null : this._points.get(best);
    },
    /** Where a point is drawn, in container pixels (tests click there). */
    containerPointOf(id) {
      const p = this._points.get(id);
      return p && this._map ? this._map.latLngToContainerPoint(p.latlng) : null;
    },

    _onClick(e) {
      const p = this.hit(e.containerPoint);
      if (p) this.fire("pointclick", { point: p, latlng: p.latlng, originalEvent: e.originalEvent });
    },
    _onMove(e) {
      this._setHover(this.hit(e.containerPoint));
    },
    _setHover(p) {
      const map = this._map;
      if (this._hover && (!p || p.id !== this._hover.id)) {
        if (this._tip) this._tip.remove();
        this._tip = null;
        if (map) map.getContainer().classList.remove("zhifa-point-hover");
      }
      if (p && (!this._hover || p.id !== this._hover.id) && map) {
        map.getContainer().classList.add("zhifa-point-hover");
        if (this.options.tooltip) {
          this._tip = L.tooltip({ direction: "top", offset: [0, -6] }).setLatLng(p.latlng).setContent(this.options.tooltip(p.data)).addTo(map);
        }
      }
      this._hover = p;
    },
  });

  window.ZhifaPointLayer = PointLayer;
})();
