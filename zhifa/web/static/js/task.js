/* 指令 — one task: details (routing, override and its reason, due times and whether each was
 * met), the timeline of transitions, the officers, the feedback with its photos; and the actions
 * the user may take: the unit leader assigns officers (nearest available first, with their
 * distance) and moves the task on; the command center reviews a handled task (close, or return
 * for rework with a reason) and may cancel an open one. The API decides who may: a refused action
 * shows its message. Updates come over the dispatch stream. */
(function () {
  "use strict";
  const { t, api, el, fmtTime, showError, boot } = window.Zhifa;
  const D = window.ZhifaDispatch;
  const page = boot.page || {};
  const roles = new Set((boot.user || {}).roles || []);
  const isAdmin = roles.has("admin");
  const isCenter = isAdmin || roles.has("duty_officer");
  const isLeader = isAdmin || roles.has("leader");
  const $ = (id) => document.getElementById(id);
  const errorEl = $("page-error");
  let task = null;
  let busy = false;
  let mini = null;

  const UNIT_STEP = { accepted: () => t("Accept the task"), en_route: () => t("Set out (en route)"), on_scene: () => t("Arrived on scene") };
  const CENTER_STEP = { closed: () => t("Close: result accepted"), returned: () => t("Return for rework"), cancelled: () => t("Cancel the task") };

  function onTime(flag) {
    if (flag === true) return el("span", { class: "badge badge-ok" }, t("On time"));
    if (flag === false) return el("span", { class: "badge badge-warn" }, t("Late"));
    return null;
  }

  function facts(x) {
    const pairs = [
      [t("Kind"), D.label("kind", x.kind)],
      [t("Priority"), D.label("priority", x.priority)],
      [t("Unit"), el("span", { dataset: { testid: "task-unit" } }, D.unitText(x.unit_name, x.unit))],
    ];
    if (x.override_reason) {
      pairs.push([t("Routed unit"), x.routed_unit || t("Not routed")]);
      pairs.push([t("Reason for reassigning"), el("span", { dataset: { testid: "task-override" } }, x.override_reason)]);
    }
    if (x.routing_reason) pairs.push([t("Routing"), x.routing_reason]);
    pairs.push(
      [t("Dispatched at (Beijing)"), fmtTime(x.dispatched_at)],
      [t("Accept by"), el("span", {}, fmtTime(x.accept_due), " ", onTime(x.on_time.accept))],
      [t("Arrive by"), el("span", {}, fmtTime(x.arrive_due), " ", onTime(x.on_time.arrive))],
      [t("Feedback by"), el("span", {}, fmtTime(x.feedback_due), " ", onTime(x.on_time.feedback))]
    );
    if (x.returned_count) pairs.push([t("Times returned"), String(x.returned_count)]);
    if (x.instructions) pairs.push([t("Instructions"), x.instructions]);
    if (x.lead) pairs.push([t("Lead"), el("a", { href: window.ZhifaMon.leadUrl(x.lead) }, `#${x.lead}`)]);
    const next = D.nextDue(x);
    if (next.stage) {
      const cd = el("strong", { class: "countdown", dataset: { due: next.dueMs ?? "", testid: "task-countdown" } });
      D.countdown(cd, next.dueMs);
      pairs.push([t("Now"), el("span", {}, D.stageText(next.stage), " ", cd)]);
    }
    return pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]);
  }

  function timelineRows(x) {
    return (x.transitions || []).map((r) =>
      el(
        "tr",
        { dataset: { testid: "timeline-row", to: r.to } },
        el("td", { class: "nowrap" }, fmtTime(r.at)),
        el("td", {}, r.from ? D.label("state", r.from) : "—"),
        el("td", {}, D.stateBadge(r.to)),
        el("td", {}, r.actor),
        el("td", {}, r.reason || ""),
        el("td", { class: "nowrap" }, typeof r.lon === "number" ? `${r.lon.toFixed(5)}, ${r.lat.toFixed(5)}` : "")
      )
    );
  }

  function openPhoto(sha) {
    const box = $("lightbox");
    $("lightbox-img").src = `/api/v1/evidence/${sha}`;
    $("lightbox-caption").textContent = sha;
    box.showModal();
  }
  $("lightbox-close").addEventListener("click", () => $("lightbox").close());

  function feedbackBlocks(x) {
    if (!(x.feedback || []).length) return [el("p", { class: "muted small" }, t("No feedback yet."))];
    return x.feedback.map((f) =>
      el(
        "div",
        { class: "feedback", dataset: { testid: "feedback-round", round: f.round } },
        el("p", {}, el("strong", { dataset: { testid: "feedback-outcome" } }, D.label("outcome", f.outcome)), " · ",
          el("span", { class: "muted small" }, `${f.submitted_by} · ${fmtTime(f.submitted_at)}`)),
        el("p", { dataset: { testid: "feedback-notes" } }, f.notes),
        f.case_ref ? el("p", { class: "small" }, t("Case number"), `：${f.case_ref}`) : null,
        f.referred_to ? el("p", { class: "small" }, t("Referred to"), `：${f.referred_to}`) : null,
        el(
          "ul",
          { class: "thumbs" },
          f.photos.map((sha) =>
            el("li", {}, el("button", { type: "button", class: "thumb", title: sha, dataset: { testid: "feedback-photo" }, onclick: () => openPhoto(sha) },
              el("img", { src: `/api/v1/evidence/${sha}`, alt: t("Photos"), loading: "lazy" })))
          )
        ),
        f.videos.length
          ? el("ul", { class: "plain-list small" }, f.videos.map((sha) => el("li", {}, el("a", { href: `/api/v1/evidence/${sha}` }, t("Body-camera video"), ` ${sha.slice(0, 12)}…`))))
          : null
      )
    );
  }

  function actions(x) {
    const out = [];
    for (const to of D.allowed(x.state, "unit")) {
      if (UNIT_STEP[to] && (isLeader || (x.officers || []).some((o) => o.code === boot.user.username))) {
        out.push(el("button", { type: "button", class: "btn", dataset: { testid: `do-${to}` }, onclick: () => act(to) }, UNIT_STEP[to]()));
      }
    }
    if (isCenter) {
      for (const to of D.allowed(x.state, "center")) {
        const cls = to === "closed" ? "btn btn-primary" : "btn";
        out.push(el("button", { type: "button", class: cls, dataset: { testid: `do-${to}` }, onclick: () => act(to) }, CENTER_STEP[to] ? CENTER_STEP[to]() : to));
      }
    }
    return out;
  }

  function render(x) {
    task = x;
    $("task-title").textContent = `${t("Task")} #${x.id} · ${x.title}`;
    $("task-badges").replaceChildren(D.stateBadge(x.state), " ", el("span", { class: "badge badge-muted" }, D.label("priority", x.priority)));
    $("task-facts").replaceChildren(...facts(x));
    $("task-timeline").tBodies[0].replaceChildren(...timelineRows(x));
    $("task-feedback").replaceChildren(...feedbackBlocks(x));
    const buttons = actions(x);
    $("task-actions").replaceChildren(...buttons);
    $("task-reason-row").hidden = !(isCenter && D.allowed(x.state, "center").some((to) => D.needsReason(x.state, to)));
    $("task-actions-note").textContent = buttons.length ? "" : x.state === "on_scene" ? t("The officers send the feedback from their phones.") : t("Nothing to do on this task.");
    $("task-officers").replaceChildren(
      ...((x.officers || []).length
        ? x.officers.map((o) => el("li", { dataset: { testid: "task-officer", code: o.code } }, `${o.name} (${o.code})`, el("span", { class: "muted small" }, ` ${t("certificate {no}, valid to {date}", { no: o.cert_no, date: o.cert_expiry })}`)))
        : [el("li", { class: "muted small" }, t("None assigned yet"))])
    );
    $("task-body").hidden = false;
    $("task-body").dataset.state = x.state;
    loadAssign(x);
    drawMini(x);
    fileButton(x);
  }

  // ------------------------------------------------------------------ 立案 from this task

  let fileFor = null;
  async function fileButton(x) {
    const slot = $("case-file-slot");
    if (!window.ZhifaCaseFile || x.state === "cancelled") {
      slot.replaceChildren();
      return;
    }
    if (fileFor === x.id) return;
    fileFor = x.id;
    const last = (x.feedback || []).slice(-1)[0];
    const prefill = {
      source: { task_id: x.id },
      sourceText: `${t("Task")} #${x.id}`,
      title: x.title,
      unit_code: x.unit,
      facts: (last && last.notes) || x.instructions || "",
      officers: (x.officers || []).map((o) => o.code),
    };
    if (x.lead) {
      const url = boot.apis && boot.apis.lead ? `/api/v1/leads/${x.lead}` : `/web/api/leads/${x.lead}`;
      const r = await api(url);
      if (r.ok) {
        const lead = r.data;
        prefill.matter = lead.matter;
        if (String(lead.subject || "").includes("/")) [prefill.plate, prefill.plate_color] = lead.subject.split("/");
      }
    }
    window.ZhifaCaseFile.attach(slot, prefill);
  }

  async function drawMini(x) {
    const box = $("task-map");
    if (typeof x.lon !== "number") {
      box.hidden = true;
      return;
    }
    if (!mini) {
      mini = await window.ZhifaMiniMap.create(box, { zoom: 13 });
      const at = mini.toLatLng(x.lon, x.lat);
      L.circleMarker(at, { radius: 9, color: "#fff", weight: 2, fillColor: "#2563eb", fillOpacity: 0.95 }).addTo(mini.map);
      mini.map.setView(at, 13);
    }
  }

  // ------------------------------------------------------------------ assignment (unit leader)

  let assignFor = null;
  async function loadAssign(x) {
    const form = $("assign-form");
    const open = ["dispatched", "accepted", "returned"].includes(x.state);
    if (!isLeader || !open) {
      form.hidden = true;
      return;
    }
    const key = `${x.id}:${x.state}:${(x.officers || []).map((o) => o.code).join(",")}`;
    if (assignFor === key) return;
    assignFor = key;
    const [officers, suggested] = await Promise.all([
      api(`/api/v1/officers?unit=${encodeURIComponent(x.unit)}&per_page=200`),
      typeof x.lon === "number" ? api(`/api/v1/tasks/${x.id}/suggestions?limit=50`) : Promise.resolve({ ok: false }),
    ]);
    if (!officers.ok) {
      form.hidden = true;
      return;
    }
    const distance = {};
    const busySet = new Set(suggested.ok ? suggested.data.busy : []);
    if (suggested.ok) for (const s of suggested.data.suggestions) distance[s.code] = s.distance_m;
    const assigned = new Set((x.officers || []).map((o) => o.code));
    const today = fmtTime(new Date(D.clock.now())).slice(0, 10);
    const rows = officers.data.items
      .filter((o) => o.cert_no && o.cert_expiry && o.cert_expiry >= today)
      .sort((a, b) => (distance[a.code] ?? Infinity) - (distance[b.code] ?? Infinity) || a.code.localeCompare(b.code));
    $("assign-list").replaceChildren(
      ...rows.map((o) =>
        el(
          "li",
          { dataset: { testid: "assign-officer", code: o.code } },
          el(
            "label",
            { class: "field-check" },
            el("input", { type: "checkbox", value: o.code, checked: assigned.has(o.code), dataset: { testid: `assign-${o.code}` } }),
            ` ${o.name} (${o.code}) `,
            o.code in distance ? el("span", { class: "badge", dataset: { testid: "assign-distance" } }, D.distanceText(distance[o.code])) : null,
            busySet.has(o.code) ? el("span", { class: "badge badge-warn" }, t("Busy on a task")) : null,
            o.on_duty ? null : el("span", { class: "badge badge-muted" }, t("Off duty"))
          )
        )
      )
    );
    form.hidden = false;
  }

  $("assign-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!task || busy) return;
    const codes = Array.from($("assign-list").querySelectorAll("input:checked")).map((i) => i.value);
    const box = $("assign-error");
    showError(box, "");
    busy = true;
    const res = await api(`/api/v1/tasks/${task.id}/assign`, { json: { officers: codes } });
    busy = false;
    if (!res.ok) {
      showError(box, res.error);
      return;
    }
    assignFor = null;
    render(res.data);
  });

  // ------------------------------------------------------------------ transitions

  async function act(to) {
    if (!task || busy) return;
    const box = $("task-action-error");
    showError(box, "");
    const reason = $("task-reason").value.trim();
    if (D.needsReason(task.state, to) && !reason) {
      showError(box, t("A reason is required for this step."));
      $("task-reason").focus();
      return;
    }
    busy = true;
    const body = { to: to };
    if (reason && D.needsReason(task.state, to)) body.reason = reason;
    const res = await api(`/api/v1/tasks/${task.id}/transition`, { json: body });
    busy = false;
    if (!res.ok) {
      showError(box, res.error);
      return;
    }
    $("task-reason").value = "";
    render(res.data);
  }

  async function load() {
    const res = await api(`/api/v1/tasks/${page.task_id}`);
    if (!res.ok) {
      showError(errorEl, res.error);
      return;
    }
    showError(errorEl, "");
    render(res.data);
  }

  setInterval(() => {
    for (const node of document.querySelectorAll(".countdown[data-due]")) {
      D.countdown(node, node.dataset.due === "" ? null : Number(node.dataset.due));
    }
  }, 1000);
  load();
  D.live.on("task", (x) => {
    if (x.id === page.task_id && !busy) load();
  });
  D.live.connect(null, null);
})();
