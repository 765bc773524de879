/* Console keyboard shortcuts, for agents on a call: 1–3 choose an offer, A accepted, L later,
   D declined (then pick a reason), N not presented. Keys typed into a field are left alone. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.target.closest("input, textarea, select")) { return; }
    var cards = Array.prototype.slice.call(document.querySelectorAll("ol.offers > li"));
    if (!cards.length) { return; }
    var key = event.key.toLowerCase();
    if (/^[1-9]$/.test(key)) {
      var card = cards[Number(key) - 1];
      if (card) { card.querySelector("button").focus(); event.preventDefault(); }
      return;
    }
    var current = document.activeElement && document.activeElement.closest("ol.offers > li");
    current = current || cards[0];
    var simple = { a: "button[value=accepted]", l: "button[value=later]" };
    if (simple[key]) {
      var button = current.querySelector(simple[key]);
      if (button) { button.click(); event.preventDefault(); }
      return;
    }
    if (key === "d" || key === "n") {
      var details = current.querySelectorAll("details.reasons")[key === "d" ? 0 : 1];
      if (details) {
        details.open = true;
        details.querySelector("form button").focus();
        event.preventDefault();
      }
    }
  });
})();
