/* The live feed (GET /web/events/stream, Server-Sent Events) and the event ticker.
 *
 * One EventSource per page. The browser reconnects by itself after a drop and sends the last id
 * it got (Last-Event-ID); the server resumes there. If the stream is closed for good (the
 * server refused it, or said "end"), the page checks the login (a 401 goes to the login page)
 * and opens a new stream with the last id 5 s later. Messages may come twice after a resume:
 * they are told apart by event and lead id.
 *
 * Other scripts listen with window.ZhifaLive.on("sensing" | "processed" | "lead" | "state", fn). */
(function () {
  "use strict";
  const { t, api, el, fmtTime } = window.Zhifa;
  const M = window.ZhifaMon;
  const MAX_ITEMS = 60;
  const STATES = {
    connecting: t("Connecting…"), open: t("Live"), reconnecting: t("Reconnecting…"), closed: t("Disconnected"),
  };

  const listeners = { sensing: [], processed: [], lead: [], state: [] };
  const stateEl = document.getElementById("ticker-state");
  const list = document.getElementById("ticker");
  const emptyEl = document.getElementById("ticker-empty");
  let source = null;
  let lastId = "";
  let retry = null;
  let state = "connecting";

  function setState(s) {
    state = s;
    if (stateEl) {
      stateEl.dataset.state = s;
      stateEl.textContent = STATES[s] || s;
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
    for (const fn of listeners[type]) {
      try {
        fn(data);
      } catch (e) {
        console.warn("live listener failed", e); // one broken listener must not stop the others
      }
    }
  }

  function connect() {
    clearTimeout(retry);
    if (source) source.close();
    const url = "/web/events/stream" + (lastId ? `?last_event_id=${encodeURIComponent(lastId)}` : "");
    source = new EventSource(url);
    setState("connecting");
    source.onopen = () => setState("open");
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) dropped();
      else setState("reconnecting");
    };
    for (const type of ["sensing", "processed", "lead"]) source.addEventListener(type, (e) => emit(type, e));
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
    retry = setTimeout(connect, 5000);
  }

  // Close the stream when the page goes away (the server then ends it at once); a page restored
  // from the back-forward cache opens a new one. A tab left in the background closes its stream
  // after a minute (a browser keeps only about six connections to a server open) and resumes
  // after the last id when it is shown again.
  window.addEventListener("pagehide", () => {
    clearTimeout(retry);
    if (source) source.close();
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) connect();
  });
  let hiddenTimer = null;
  let paused = false;
  document.addEventListener("visibilitychange", () => {
    clearTimeout(hiddenTimer);
    if (document.visibilityState === "hidden") {
      hiddenTimer = setTimeout(() => {
        paused = true;
        clearTimeout(retry);
        if (source) source.close();
        setState("closed");
      }, 60000);
    } else if (paused) {
      paused = false;
      connect();
    }
  });

  // ------------------------------------------------------------------ the ticker

  const seen = new Set();

  function place(li) {
    list.prepend(li);
    while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
    if (emptyEl) emptyEl.hidden = true;
  }

  function leadLinks(leads) {
    const out = [];
    for (const l of leads || []) {
      out.push(" ", el("a", { href: M.leadUrl(l.id), title: M.kindTitle(l.kind) }, `#${l.id}`));
    }
    return out;
  }

  function fillState(node, d) {
    node.dataset.status = d.status;
    if (d.status === "pending") node.replaceChildren(t("Processing…"));
    else if (d.status === "failed") node.replaceChildren(t("Rule failed; left for review"));
    else if (d.raised_lead || (d.leads && d.leads.length)) node.replaceChildren(t("Lead raised"), ...leadLinks(d.leads));
    else node.replaceChildren(t("No lead"));
  }

  function onSensing(d) {
    const key = `e${d.id}`;
    if (seen.has(key)) {
      const old = list.querySelector(`li[data-event-id="${Number(d.id)}"] .tick-state`);
      if (old) fillState(old, d);
      return;
    }
    seen.add(key);
    const what = d.plate ? M.plateText(d.plate, d.plate_color) : d.mmsi ? `MMSI ${d.mmsi}` : "";
    const stateNode = el("span", { class: "tick-state", dataset: { testid: "tick-state" } });
    fillState(stateNode, d);
    place(
      el(
        "li",
        { class: "tick tick-event", dataset: { eventId: d.id, testid: "tick-event", type: d.type } },
        el("time", { datetime: d.time }, fmtTime(d.time)),
        el("span", { class: "badge" }, M.label(M.EVENT_TYPE, d.type)),
        what ? el("strong", { class: "tick-what" }, what) : null,
        el("span", { class: "tick-where muted" }, d.device_name || d.device),
        stateNode
      )
    );
  }

  function onProcessed(d) {
    const node = list.querySelector(`li[data-event-id="${Number(d.id)}"] .tick-state`);
    if (node) fillState(node, d);
  }

  function onLead(d) {
    const key = `l${d.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    place(
      el(
        "li",
        { class: "tick tick-lead", dataset: { leadId: d.id, testid: "tick-lead" } },
        el("time", { datetime: d.first_event_time }, fmtTime(d.first_event_time)),
        el("span", { class: "badge badge-warn" }, t("New lead")),
        el("a", { class: "tick-what", href: M.leadUrl(d.id) }, M.kindTitle(d.kind)),
        el("strong", {}, M.subjectText(d.subject)),
        el("span", { class: "tick-where muted" }, d.unit_name || d.unit || t("Not routed")),
        ...M.flagBadges(d)
      )
    );
  }

  if (list) {
    listeners.sensing.push(onSensing);
    listeners.processed.push(onProcessed);
    listeners.lead.push(onLead);
  }

  window.ZhifaLive = {
    on(type, fn) {
      if (listeners[type]) listeners[type].push(fn);
    },
    /** Close the stream (for tests and for pages that want quiet); reconnect() resumes after
     * the last id received. */
    close() {
      clearTimeout(retry);
      if (source) source.close();
      setState("closed");
    },
    reconnect: connect,
    get state() {
      return state;
    },
  };
  connect();
})();
