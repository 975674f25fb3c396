/* Shared by the case pages (workbench, review queue, one case): the badge of a case's next legal
 * deadline — days left counted from the server's date (Asia/Shanghai) given with the page; red
 * when missed, amber when due within `due_soon_days`. */
(function () {
  "use strict";
  const { t, el, boot } = window.Zhifa;
  const page = boot.page || {};

  /** Whole days from the page's date to an ISO date. */
  function daysLeft(due) {
    const a = Date.parse(page.today + "T00:00:00Z");
    const b = Date.parse(due + "T00:00:00Z");
    return Math.round((b - a) / 86400000);
  }

  function deadlineBadge(next) {
    if (!next) return el("span", { class: "muted", dataset: { testid: "deadline-none" } }, "—");
    const days = daysLeft(next.due);
    let cls = "badge badge-ok";
    let text = t("{days} days left", { days: days });
    let level = "ok";
    if (days < 0 && (page.deadline_owners || {})[next.kind] === "party") {
      // A party's period that has run out (the scanner marks it expired): nothing was missed.
      cls = "badge badge-muted";
      text = t("Ended {days} days ago", { days: -days });
      level = "ended";
    } else if (days < 0) {
      cls = "badge badge-danger";
      text = t("Missed {days} days ago", { days: -days });
      level = "missed";
    } else if (days <= (page.due_soon_days ?? 2)) {
      cls = "badge badge-warn";
      text = days === 0 ? t("Due today") : text;
      level = "soon";
    }
    const kind = (page.deadline_kinds || {})[next.kind] || next.kind;
    return el(
      "span",
      { dataset: { testid: "next-deadline", kind: next.kind, due: next.due } },
      el("span", { class: cls, dataset: { testid: "deadline-badge", level: level } }, text),
      " ",
      el("span", { class: "muted small", dataset: { testid: "deadline-kind" } }, `${next.due} ${kind}`)
    );
  }

  window.ZhifaCases = { daysLeft, deadlineBadge };
})();
