/* WGS-84 → GCJ-02, the standard forward formula (Krasovsky 1940 ellipsoid), for drawing our
 * WGS-84 overlays on GCJ-02 tiles (AMap, Tencent). Only the forward direction is done here: a
 * point clicked on a GCJ-02 map is sent to the API with crs=gcj02, and the server inverts it
 * exactly (prcoords' iterative inverse; the closed-form inverse is off by ~1.5 m).
 * Outside mainland China (the usual rough box) GCJ-02 equals WGS-84. */
(function (root) {
  "use strict";
  const A = 6378245.0;
  const EE = 0.00669342162296594323;
  const PI = Math.PI;

  function outOfChina(lon, lat) {
    return !(lat >= 0.8293 && lat <= 55.8271 && lon >= 72.004 && lon <= 137.8347);
  }

  function dLatMetres(x, y) {
    let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
    r += ((160.0 * Math.sin((y / 12.0) * PI) + 320.0 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
    return r;
  }

  function dLonMetres(x, y) {
    let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
    r += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
    return r;
  }

  /** [lon, lat] in WGS-84 → [lon, lat] in GCJ-02. */
  function wgs84ToGcj02(lon, lat) {
    if (outOfChina(lon, lat)) return [lon, lat];
    const x = lon - 105.0;
    const y = lat - 35.0;
    const radLat = (lat / 180.0) * PI;
    let magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    const sqrtMagic = Math.sqrt(magic);
    const dLat = (dLatMetres(x, y) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
    const dLon = (dLonMetres(x, y) * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
    return [lon + dLon, lat + dLat];
  }

  root.ZhifaGcj02 = { wgs84ToGcj02: wgs84ToGcj02, outOfChina: outOfChina };
})(window);
