/* Offer content (admin and forms): under each text with a channel limit, how much of the limit
   it uses and how much is left, updated as the author types. The server's rule is the one in
   campaigns/formats.py and campaigns/textrules.py: GSM-7 texts count extension characters
   twice; a text with any character outside the GSM alphabet takes the lower UCS-2 limit. */
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€\f";

  function measure(text, gsmLimit, ucsLimit) {
    if (!ucsLimit) return { used: Array.from(text).length, limit: gsmLimit, encoding: "" };
    var septets = 0;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (BASIC.indexOf(ch) >= 0) septets += 1;
      else if (EXTENDED.indexOf(ch) >= 0) septets += 2;
      else return { used: text.length, limit: ucsLimit, encoding: "UCS-2" };  // UTF-16 units
    }
    return { used: septets, limit: gsmLimit, encoding: "GSM-7" };
  }

  function attach(field) {
    var out = document.createElement("p");
    out.className = "format-counter help";
    out.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", out);
    var gsm = parseInt(field.dataset.formatLimit, 10);
    var ucs = parseInt(field.dataset.formatUcsLimit, 10) || 0;
    function update() {
      var m = measure(field.value, gsm, ucs);
      var left = m.limit - m.used;
      var template = left >= 0 ? field.dataset.counterLeft : field.dataset.counterOver;
      out.textContent = template
        .replace("%(used)s", m.used).replace("%(limit)s", m.limit)
        .replace("%(left)s", Math.abs(left))
        .replace("%(encoding)s", m.encoding ? " (" + m.encoding + ")" : "");
      out.classList.toggle("format-over", left < 0);
    }
    field.addEventListener("input", update);
    update();
  }

  function attachAll(root) {
    root.querySelectorAll("[data-format-limit]").forEach(function (field) {
      if (!field.dataset.counterAttached && !field.name.includes("__prefix__")) {
        field.dataset.counterAttached = "1";
        attach(field);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  // The admin's "Add another" copies an inline form: count in the new one too.
  document.addEventListener("formset:added", function (event) { attachAll(event.target); });
})();
