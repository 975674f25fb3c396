/* 滞留事件: the events a monitoring rule failed on, oldest first (GET /api/v1/events/stuck: at
 * most 500, the headers X-Total-Count and X-Truncated say whether there are more). Each is either
 * still retried by the worker (fewer than boot.page.max_attempts attempts) or given up.
 * Administrators (boot.page.retry_roles) tick given-up events and queue them again with
 * POST /api/v1/events/stuck/retry; the answer's queued ids and refused ids (each with the API's
 * reason) are shown, and the list is read again. Others see the list without the controls; who may
 * do what is the API's decision, and its refusals are shown as they come. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot, lang } = window.Zhifa;
  const M = window.ZhifaMon;
  const page = boot.page || {};
  const MAX = page.max_attempts || 5;
  const roles = new Set((boot.user || {}).roles || []);
  const canRetry = roles.has("admin") || (page.retry_roles || []).some((r) => roles.has(r));
  /** Longer errors are cut in the table; the whole text is in the tooltip and opens on a click. */
  const SHORT = 80;
  const SEP = lang === "zh" ? "、" : ", ";

  const $ = (id) => document.getElementById(id);
  const table = $("stuck-table");
  const summaryEl = $("stuck-summary");
  const errorEl = $("list-error");
  const truncatedEl = $("stuck-truncated");
  const resultEl = $("retry-result");
  const retryBtn = $("stuck-retry");
  const allBox = $("stuck-all");
  const state = { rows: [], selected: new Set(), seq: 0, busy: false };

  // The API's reasons for refusing an id (zhifa.monitoring.service.retry_given_up), translated.
  const REASONS = [
    [/^no such event/i, () => t("No such event")],
    [/^already done/i, () => t("Already processed")],
    [/^still being retried/i, () => t("Still being retried automatically (fewer than {max} attempts)", { max: MAX })],
  ];
  function reasonText(reason) {
    for (const [re, text] of REASONS) if (re.test(reason || "")) return text();
    return String(reason || "");
  }

  function deviceText(name, code) {
    if (!name) return code || "";
    return lang === "zh" ? `${name}（${code}）` : `${name} (${code})`;
  }

  function stateBadge(r) {
    return r.given_up
      ? el("span", { class: "badge badge-warn", dataset: { testid: "stuck-state", state: "given_up" } }, t("Given up"))
      : el("span", { class: "badge badge-muted", dataset: { testid: "stuck-state", state: "retrying" } }, t("Retrying automatically"));
  }

  function errorCell(text) {
    const full = text || "";
    if (full.length <= SHORT) return el("span", { class: "stuck-error", dataset: { testid: "stuck-error" } }, full);
    return el(
      "details",
      { class: "stuck-error", dataset: { testid: "stuck-error" } },
      el("summary", { title: full }, `${full.slice(0, SHORT)}…`),
      el("pre", { class: "stuck-error-full", dataset: { testid: "stuck-error-full" } }, full)
    );
  }

  function pickCell(r) {
    const box = el("input", {
      type: "checkbox",
      value: String(r.id),
      disabled: !r.given_up,
      checked: r.given_up && state.selected.has(r.id),
      title: r.given_up ? undefined : t("Still being retried automatically (fewer than {max} attempts)", { max: MAX }),
      "aria-label": t("Select event {id}", { id: r.id }),
      dataset: { testid: "stuck-pick" },
    });
    box.addEventListener("change", () => {
      if (box.checked) state.selected.add(r.id);
      else state.selected.delete(r.id);
      syncControls();
    });
    return box;
  }

  function render() {
    const head = Array.from(table.tHead.rows[0].cells);
    const labels = head.map((c) => c.textContent);
    const body = table.tBodies[0];
    for (const th of table.querySelectorAll(".stuck-pick")) th.hidden = !canRetry;
    if (!state.rows.length) {
      body.replaceChildren(
        el("tr", {}, el("td", { colspan: head.length, class: "muted empty", dataset: { testid: "stuck-empty" } }, t("No stuck events")))
      );
      return;
    }
    body.replaceChildren(
      ...state.rows.map((r) => {
        const cells = [
          canRetry ? pickCell(r) : null,
          `#${r.id}`,
          el("span", { dataset: { testid: "stuck-device" } }, deviceText(r.device_name, r.device)),
          el("code", {}, r.event_id),
          M.label(M.EVENT_TYPE, r.type),
          el("time", { datetime: r.event_time }, fmtTime(r.event_time)),
          el("span", { dataset: { testid: "stuck-attempts" } }, `${r.attempts} / ${MAX}`),
          stateBadge(r),
          errorCell(r.last_error),
        ];
        return el(
          "tr",
          { dataset: { testid: "stuck-row", id: r.id, givenUp: r.given_up ? "1" : "0" } },
          cells.map((c, i) =>
            c === null
              ? null
              : el(
                  "td",
                  { "data-label": labels[i], class: [0, 1, 4, 5, 6].includes(i) ? "nowrap" : undefined },
                  c
                )
          )
        );
      })
    );
  }

  function givenUp() {
    return state.rows.filter((r) => r.given_up);
  }

  function syncControls() {
    const candidates = givenUp();
    retryBtn.hidden = !canRetry;
    retryBtn.disabled = state.busy || state.selected.size === 0;
    retryBtn.textContent = state.selected.size ? t("Retry ({count})", { count: state.selected.size }) : t("Retry");
    $("stuck-all-label").hidden = !canRetry;
    allBox.disabled = !candidates.length;
    allBox.checked = candidates.length > 0 && candidates.every((r) => state.selected.has(r.id));
    allBox.indeterminate = !allBox.checked && candidates.some((r) => state.selected.has(r.id));
    $("stuck-readonly").hidden = canRetry || !candidates.length;
  }

  function summarise(total, truncated) {
    const n = givenUp().length;
    summaryEl.textContent = t("{count} stuck events: {given_up} given up, {retrying} being retried", {
      count: state.rows.length, given_up: n, retrying: state.rows.length - n,
    });
    truncatedEl.textContent = truncated
      ? t("Only the oldest {shown} of {total} stuck events are shown. Deal with these, then refresh for the rest.", { shown: state.rows.length, total: total })
      : "";
    truncatedEl.hidden = !truncated;
  }

  async function load() {
    const seq = ++state.seq;
    table.setAttribute("aria-busy", "true");
    const res = await api("/api/v1/events/stuck");
    if (seq !== state.seq) return;
    table.removeAttribute("aria-busy");
    if (!res.ok) {
      state.rows = [];
      state.selected.clear();
      render();
      syncControls();
      summaryEl.textContent = "";
      truncatedEl.hidden = true;
      if (res.status === 403) showError(errorEl, `${t("You do not have permission to see this.")} ${res.error}`);
      else showError(errorEl, res.error);
      return;
    }
    showError(errorEl, "");
    state.rows = Array.isArray(res.data) ? res.data : [];
    const ids = new Set(givenUp().map((r) => r.id));
    for (const id of Array.from(state.selected)) if (!ids.has(id)) state.selected.delete(id);
    const headers = res.response.headers;
    const total = parseInt(headers.get("X-Total-Count") || "", 10);
    summarise(Number.isNaN(total) ? state.rows.length : total, headers.get("X-Truncated") === "true");
    render();
    syncControls();
    table.dataset.ready = "1";
  }

  function showResult(answer) {
    const queued = answer.queued || [];
    const refused = answer.refused || [];
    const parts = [];
    parts.push(
      el(
        "p",
        { dataset: { testid: "retry-queued" } },
        queued.length
          ? t("Queued again: {ids}.", { ids: queued.map((id) => `#${id}`).join(SEP) })
          : t("No event was queued again.")
      )
    );
    if (refused.length) {
      parts.push(
        el("p", {}, t("Refused:")),
        el(
          "ul",
          {},
          refused.map((x) => el("li", { dataset: { testid: "retry-refused", id: x.id } }, `#${x.id}: ${reasonText(x.reason)}`))
        )
      );
    }
    resultEl.replaceChildren(...parts);
    resultEl.hidden = false;
  }

  async function retry() {
    if (state.busy || !state.selected.size) return;
    state.busy = true;
    syncControls();
    resultEl.hidden = true;
    showError(errorEl, "");
    const ids = Array.from(state.selected).sort((a, b) => a - b);
    const res = await api("/api/v1/events/stuck/retry", { json: { ids: ids } });
    state.busy = false;
    if (!res.ok) {
      // 403 (not an administrator), 400/422 (ids refused as a whole): the API's message.
      showError(errorEl, res.status === 403 ? `${t("You do not have permission to do this.")} ${res.error}` : res.error);
      syncControls();
      return;
    }
    for (const id of res.data.queued || []) state.selected.delete(id);
    showResult(res.data);
    await load();
  }

  retryBtn.addEventListener("click", retry);
  $("stuck-refresh").addEventListener("click", load);
  allBox.addEventListener("change", () => {
    for (const r of givenUp()) {
      if (allBox.checked) state.selected.add(r.id);
      else state.selected.delete(r.id);
    }
    render();
    syncControls();
  });
  load();
})();
