/* Tables wider than the screen scroll sideways in their .table-wrap; a keyboard user reaches
   that scroll only if the wrapper can take focus (WCAG 2.1.1, axe's scrollable-region-focusable).
   Every wrapper that actually overflows becomes a named, focusable region; one that fits stays
   out of the tab order, and a resize decides again. */
(function () {
  "use strict";

  function nameOf(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    var section = wrap.closest("[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    if (heading) { return heading.textContent.trim(); }
    var before = wrap.previousElementSibling;
    while (before && !/^H[1-6]$/.test(before.tagName)) { before = before.previousElementSibling; }
    return before ? before.textContent.trim() : "";
  }

  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var words = nameOf(wrap);
        if (words) { wrap.setAttribute("aria-label", words); }
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
  document.addEventListener("htmx:afterSettle", mark);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
