/* Screen pop: telephony opens /console/pop/#<number>. The number is taken from the fragment
   (which browsers never send to a server), removed from the address and the history, and sent
   by POST. A pop that met an expired session was kept in this tab by the sign-in page
   (login_pop.js); it is taken once, right after sign-in. A new pop in the same tab (only the
   fragment changes) opens the new caller. */
(function () {
  "use strict";
  var KEY = "cvm.pop";
  var KEPT_MS = 5 * 60 * 1000;  // a pop older than this is a call long over: not opened
  var form = document.getElementById("pop-form");
  if (!form) { return; }  // the page that explains how to call it

  function decoded(raw) {
    try { return decodeURIComponent(raw); } catch (e) { return raw; }
  }

  function takeKept() {
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      window.sessionStorage.removeItem(KEY);
    } catch (e) {
      return "";
    }
    var fresh = saved && typeof saved.number === "string" && Date.now() - saved.at < KEPT_MS;
    return fresh ? saved.number : "";
  }

  function pop(raw) {
    history.replaceState(null, "", window.location.pathname);  // the number leaves the history
    var number = decoded(raw).trim();
    if (!number) { return; }
    document.getElementById("id_q").value = number;
    form.submit();
  }

  var fromAddress = window.location.hash.slice(1);
  var kept = takeKept();  // taken either way: a fresh pop wins over one kept at sign-in
  pop(fromAddress || kept);
  window.addEventListener("hashchange", function () {
    var raw = window.location.hash.slice(1);
    if (raw) { pop(raw); }
  });
})();
