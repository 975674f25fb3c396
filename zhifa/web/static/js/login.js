/* The login page: POST the credentials as JSON; the API sets the session cookie. */
(function () {
  "use strict";
  const { t, api, showError, boot } = window.Zhifa;
  const form = document.getElementById("login-form");
  const errorBox = document.getElementById("login-error");
  const submit = form.querySelector("button[type=submit]");
  // The button is disabled in the HTML until this script listens: the form is never sent natively.
  submit.disabled = false;

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username || !password) {
      showError(errorBox, t("Please enter your username and password."));
      return;
    }
    showError(errorBox, "");
    submit.disabled = true;
    submit.textContent = t("Signing in…");
    const res = await api("/api/v1/auth/login", { json: { username: username, password: password } });
    if (res.ok) {
      location.replace(boot.next || "/");
      return;
    }
    submit.disabled = false;
    submit.textContent = t("Sign in");
    showError(errorBox, res.error);
    form.password.select();
  });
})();
