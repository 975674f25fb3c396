/* Shared helpers for every page: the message catalogue, API calls, time formatting, the layout
 * (navigation drawer, logout). No framework; pages use window.Zhifa. */
(function () {
  "use strict";

  const bootEl = document.getElementById("zhifa-boot");
  const boot = bootEl ? JSON.parse(bootEl.textContent || "{}") : {};
  const lang = boot.lang === "en" ? "en" : "zh";
  const messages = boot.messages || {};
  const TZ = boot.tz || "Asia/Shanghai";

  /** Translate a catalogue key (keys are English); {name} placeholders are filled from vals. */
  function t(key, vals) {
    let s = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    if (vals) {
      s = s.replace(/\{(\w+)\}/g, (m, k) => (vals[k] === undefined || vals[k] === null ? m : String(vals[k])));
    }
    return s;
  }
  /** Mark a key for the catalogue without translating it yet (translated where it is shown). */
  const N_ = (key) => key;

  /** The human message of an API error body ({"error": {"message", "message_zh"}}). */
  function errorMessage(status, body) {
    const err = body && typeof body === "object" ? body.error : null;
    if (err && (err.message || err.message_zh)) {
      return lang === "zh" ? err.message_zh || err.message : err.message || err.message_zh;
    }
    if (status === 403) return t("You do not have permission to see this.");
    if (status === 404) return t("Not found.");
    if (status >= 500) return t("Server error; please try again later.");
    return t("Request failed ({status}).", { status: status });
  }

  /** GET/POST JSON under the session cookie. Never throws: returns {ok, status, data, error}.
   * A 401 on a page (not the login page) means the session ended: back to the login page. */
  async function api(path, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
    if (opts.json !== undefined) {
      opts.method = opts.method || "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      return { ok: false, status: 0, data: null, error: t("Network error; please check the connection.") };
    }
    let data = null;
    const type = res.headers.get("content-type") || "";
    if (type.includes("json")) {
      try {
        data = await res.json();
      } catch (e) {
        data = null;
      }
    }
    if (res.status === 401 && !document.body.classList.contains("page-login") && !opts.noRedirect) {
      toLogin();
      return { ok: false, status: 401, data: data, error: t("Session expired; please sign in again.") };
    }
    if (!res.ok) return { ok: false, status: res.status, data: data, error: errorMessage(res.status, data) };
    return { ok: true, status: res.status, data: data, error: null, response: res };
  }

  function toLogin() {
    const here = location.pathname + location.search;
    location.href = "/login" + (here && here !== "/" ? "?next=" + encodeURIComponent(here) : "");
  }

  // Times: stored in UTC, always shown in Asia/Shanghai, as YYYY-MM-DD HH:mm:ss.
  const timeFmt = new Intl.DateTimeFormat("en-GB", {
    timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  function fmtTime(value) {
    if (!value) return "";
    const d = value instanceof Date ? value : new Date(value);
    if (isNaN(d.getTime())) return String(value);
    const p = {};
    for (const part of timeFmt.formatToParts(d)) p[part.type] = part.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  }

  /** Build a DOM element: el("td", {class: "x", dataset: {a: 1}}, "text", child). Text is never HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function showError(box, message) {
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename, hidden: true });
    document.body.append(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(url);
      a.remove();
    }, 1000);
  }

  function todayStamp() {
    return fmtTime(new Date()).slice(0, 10).replace(/-/g, "");
  }

  // ------------------------------------------------------------------ layout

  function initLayout() {
    const toggle = document.querySelector(".nav-toggle");
    const nav = document.getElementById("sidenav");
    const backdrop = document.querySelector(".nav-backdrop");
    function setOpen(open) {
      if (!nav || !toggle) return;
      document.body.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (backdrop) backdrop.hidden = !open;
    }
    if (toggle) toggle.addEventListener("click", () => setOpen(!document.body.classList.contains("nav-open")));
    if (backdrop) backdrop.addEventListener("click", () => setOpen(false));
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") setOpen(false);
    });

    const logout = document.getElementById("logout");
    if (logout) {
      logout.addEventListener("click", async () => {
        logout.disabled = true;
        await api("/api/v1/auth/logout", { method: "POST", noRedirect: true });
        location.href = "/login";
      });
    }
  }

  window.Zhifa = {
    boot, lang, t, N_, api, errorMessage, fmtTime, el, showError, download, todayStamp, toLogin,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initLayout);
  else initLayout();
})();
