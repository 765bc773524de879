/* Sign-in after a screen pop met an expired session. Telephony opened /console/pop/#<number>;
   the sign-in page came instead, and the browser kept the fragment:
   /accounts/login/?next=/console/pop/#<number>. The number is kept in this tab only
   (sessionStorage: never in a URL, a server log or the server's session) and taken out of the
   address; after sign-in Django goes on to /console/pop/, whose script posts it (screen_pop.js). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-pop-path]");
  var raw = window.location.hash.slice(1);
  if (!form || !raw) { return; }
  var next = new URLSearchParams(window.location.search).get("next");
  if (next !== form.getAttribute("data-pop-path")) { return; }
  try {
    window.sessionStorage.setItem("cvm.pop", JSON.stringify({ number: raw, at: Date.now() }));
  } catch (e) {
    return;  // no storage in this tab: the agent finds the caller by hand after sign-in
  }
  history.replaceState(null, "", window.location.pathname + window.location.search);
  var waiting = document.getElementById("pop-waiting");
  if (waiting) { waiting.hidden = false; }
})();
