/* Screen pop: telephony opens /console/pop/#<number>. The number is taken from the fragment
   (never sent to the server in a URL), removed from the history and sent by POST. */
(function () {
  "use strict";
  var number = decodeURIComponent(window.location.hash.slice(1));
  if (!number) { return; }
  history.replaceState(null, "", window.location.pathname);  // the number leaves the history
  document.getElementById("id_q").value = number;
  document.getElementById("pop-form").submit();
})();
