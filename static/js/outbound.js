/* The outbound screen. An outcome's Undo button counts down and goes when the undo period
   ends (the server decides; this only removes a button it would refuse). After htmx swaps an
   offer's outcome in, focus moves to what was recorded, so the keyboard carries on from there
   (Tab reaches Undo) instead of starting again at the top of the page. */
(function () {
  "use strict";

  function startTimers(root) {
    var forms = root.querySelectorAll("form[data-undo-seconds]:not([data-timer])");
    Array.prototype.forEach.call(forms, function (form) {
      form.setAttribute("data-timer", "on");
      var left = Number(form.getAttribute("data-undo-seconds")) || 0;
      var shown = form.querySelector("[data-countdown]");
      var tick = window.setInterval(function () {
        left -= 1;
        if (!document.body.contains(form)) {
          window.clearInterval(tick);
          return;
        }
        if (left > 0) {
          if (shown) { shown.textContent = String(left); }
          return;
        }
        window.clearInterval(tick);
        var hadFocus = form.contains(document.activeElement);
        var card = form.closest(".outcome");
        form.remove();
        if (hadFocus && card) {
          var recorded = card.querySelector("[data-focus-after-swap]");
          if (recorded) { recorded.focus(); }
        }
      }, 1000);
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList.contains("outcome")) { return; }
    startTimers(target);
    var focus = target.querySelector("[data-focus-after-swap]");
    if (focus) {
      focus.focus();
      // Read out from the live region that was there since page load (WCAG 4.1.3).
      var region = document.getElementById("announcer");
      if (region) {
        region.textContent = "";
        window.setTimeout(function () { region.textContent = focus.textContent.trim(); }, 50);
      }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { startTimers(document); });
  } else {
    startTimers(document);
  }
})();
