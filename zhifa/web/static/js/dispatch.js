/* Shared parts of the dispatch pages (指挥调度): labels, the server's clock, SLA countdowns, the
 * transition table, and the dispatch live stream (GET /web/dispatch/stream, Server-Sent Events).
 *
 * Deadlines count down against the SERVER's clock: every clock message (and the wall's
 * snapshot) says what time the server has, and the page keeps the offset to the browser's
 * clock. A browser whose clock is wrong, or a test that moves the server's clock, still sees the
 * countdown the server's scanner will act on.
 *
 * Pages listen with window.ZhifaDispatch.live.on("lead" | "task" | "notification" | "kpi" |
 * "clock" | "state", fn) after calling live.connect(cursor). */
(function () {
  "use strict";
  const { t, N_, boot, api, el, lang } = window.Zhifa;
  const page = boot.page || {};
  const LABELS = page.labels || {};
  const KIND_TITLE = Object.fromEntries(page.kinds || []);

  function label(table, code) {
    if (code === null || code === undefined || code === "") return "";
    const map = LABELS[table] || {};
    return map[code] || String(code);
  }
  function kindTitle(kind) {
    return KIND_TITLE[kind] || kind || "";
  }
  function unitText(name, code) {
    if (!code) return "";
    if (!name) return code;
    return lang === "zh" ? `${name}（${code}）` : `${name} (${code})`;
  }
  /** A lead's subject: "苏L12345/yellow" → "苏L12345 黄牌"; a hotline ticket "12345:T1" as it is. */
  function subjectText(subject) {
    if (window.ZhifaMon) return window.ZhifaMon.subjectText(subject);
    return subject || "";
  }

  // ------------------------------------------------------------------ the server's clock

  let offset = 0; // server time − browser time, in ms
  const clockListeners = [];
  const clock = {
    sync(serverMs) {
      if (typeof serverMs !== "number") return;
      offset = serverMs - Date.now();
      clockListeners.forEach((fn) => fn());
    },
    now() {
      return Date.now() + offset;
    },
    onSync(fn) {
      clockListeners.push(fn);
    },
  };

  clock.sync(page.now_ms); // the page's own time, until the stream or the snapshot says more

  /** "1:05:09", "12:34", or "3天4小时" for long spans. */
  function span(ms) {
    const s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    if (d > 0) return t("{days} d {hours} h", { days: d, hours: h });
    const mm = String(m).padStart(h ? 2 : 1, "0");
    const ss = String(sec).padStart(2, "0");
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }
  /** A distance in metres as "850 m" or "1.2 km". */
  function distanceText(m) {
    if (typeof m !== "number") return "";
    return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
  }
  /** Fill a countdown element: time left, or how long overdue (data-overdue="1"). */
  function countdown(node, dueMs) {
    if (!node) return false;
    if (dueMs === null || dueMs === undefined) {
      node.textContent = "";
      delete node.dataset.overdue;
      return false;
    }
    const left = dueMs - clock.now();
    const over = left < 0;
    node.textContent = over ? t("{time} overdue", { time: span(left) }) : t("{time} left", { time: span(left) });
    if (over) node.dataset.overdue = "1";
    else delete node.dataset.overdue;
    return over;
  }

  // ------------------------------------------------------------------ tasks

  const TRANSITIONS = page.transitions || [];
  /** Targets allowed from a state for a party ("unit" | "center"), without the feedback-only ones. */
  function allowed(state, party) {
    return TRANSITIONS.filter((x) => x.from === state && x.by === party && !x.via).map((x) => x.to);
  }
  function needsReason(from, to) {
    const x = TRANSITIONS.find((r) => r.from === from && r.to === to);
    return !!(x && x.reason);
  }
  const STAGE_OF = { accept: "accept_due", arrive: "arrive_due", feedback: "feedback_due" };
  const PENDING = {
    dispatched: ["accept", "arrive", "feedback"],
    returned: ["accept", "arrive", "feedback"],
    accepted: ["arrive", "feedback"],
    en_route: ["arrive", "feedback"],
    on_scene: ["feedback"],
  };
  /** The next stage of a full task (GET /api/v1/tasks/{id}) and its due time in ms. */
  function nextDue(task) {
    for (const stage of PENDING[task.state] || []) {
      const due = task[STAGE_OF[stage]];
      if (due) return { stage: stage, dueMs: Date.parse(due) };
    }
    return { stage: task.state === "handled" ? "review" : null, dueMs: null };
  }
  function stateBadge(state) {
    return el("span", { class: `badge badge-task-${state}`, dataset: { testid: "task-state", state: state } }, label("state", state));
  }
  function stageText(stage) {
    if (stage === "review") return t("Awaiting review");
    return stage ? t("Due: {stage}", { stage: label("stage", stage) }) : "";
  }

  /** The user's position from the phone (navigator.geolocation), as {lon, lat, accuracy}. */
  function locate(timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) {
        reject(new Error(t("This browser cannot give a position.")));
        return;
      }
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy }),
        (err) => reject(new Error(err && err.code === 1 ? t("Location permission denied.") : t("No position fix."))),
        { enableHighAccuracy: true, timeout: timeoutMs || 10000, maximumAge: 30000 }
      );
    });
  }

  // ------------------------------------------------------------------ the live stream

  const STATES = {
    connecting: N_("Connecting…"), open: N_("Live"), reconnecting: N_("Reconnecting…"), closed: N_("Disconnected"),
  };
  const TYPES = ["lead", "task", "notification", "kpi", "clock"];
  const listeners = { state: [] };
  TYPES.forEach((x) => (listeners[x] = []));
  let source = null;
  let lastId = "";
  let retry = null;
  let state = "connecting";
  let stateEl = null;

  function setState(s) {
    state = s;
    if (stateEl) {
      stateEl.dataset.state = s;
      stateEl.textContent = t(STATES[s] || s);
    }
    listeners.state.forEach((fn) => fn(s));
  }
  function emit(type, event) {
    if (event.lastEventId) lastId = event.lastEventId;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (type === "clock") clock.sync(data.now_ms);
    for (const fn of listeners[type]) {
      try {
        fn(data);
      } catch (e) {
        console.warn("dispatch listener failed", e); // one broken listener must not stop the others
      }
    }
  }
  function open() {
    clearTimeout(retry);
    if (source) source.close();
    source = new EventSource("/web/dispatch/stream" + (lastId ? `?cursor=${encodeURIComponent(lastId)}` : ""));
    setState("connecting");
    source.onopen = () => setState("open");
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) dropped();
      else setState("reconnecting");
    };
    for (const type of TYPES) source.addEventListener(type, (e) => emit(type, e));
    source.addEventListener("end", () => {
      source.close();
      dropped();
    });
  }
  async function dropped() {
    setState("closed");
    const res = await api("/api/v1/web/config"); // a 401 goes to the login page
    if (res.status === 401) return;
    clearTimeout(retry);
    retry = setTimeout(open, 5000);
  }
  window.addEventListener("pagehide", () => {
    clearTimeout(retry);
    if (source) source.close();
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted && source) open();
  });
  // A tab in the background closes its stream after a minute (a browser keeps only about six
  // connections to a server) and resumes after the last id when it is shown again.
  let hiddenTimer = null;
  let paused = false;
  document.addEventListener("visibilitychange", () => {
    clearTimeout(hiddenTimer);
    if (!source) return;
    if (document.visibilityState === "hidden") {
      hiddenTimer = setTimeout(() => {
        paused = true;
        clearTimeout(retry);
        source.close();
        setState("closed");
      }, 60000);
    } else if (paused) {
      paused = false;
      open();
    }
  });

  const live = {
    /** Open the stream after `cursor` (the wall's snapshot gives one; none: from now). */
    connect(cursor, indicator) {
      stateEl = indicator || null;
      if (cursor) lastId = cursor;
      open();
    },
    on(type, fn) {
      if (listeners[type]) listeners[type].push(fn);
    },
    close() {
      clearTimeout(retry);
      if (source) source.close();
      setState("closed");
    },
    reconnect: open,
    get state() {
      return state;
    },
  };

  window.ZhifaDispatch = {
    label, kindTitle, unitText, subjectText, clock, span, distanceText, countdown, allowed, needsReason, nextDue, stateBadge,
    stageText, locate, live,
  };
})();
