/* The command screen placeholder: a Beijing-time clock until the live modules arrive. */
(function () {
  "use strict";
  const { fmtTime } = window.Zhifa;
  const clock = document.getElementById("clock");
  function tick() {
    const now = new Date();
    clock.textContent = fmtTime(now);
    clock.setAttribute("datetime", now.toISOString());
  }
  tick();
  setInterval(tick, 1000);
})();
