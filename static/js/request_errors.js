/* A request a page makes by itself (htmx: an outcome button, a campaign tap, a list refreshing)
   that fails is never silent. htmx leaves the page as it was on a 4xx or 5xx answer (base.html's
   htmx-config; 422 is swapped in as the form's own message) and when no answer comes, so the
   person would think their click had worked. Here the failure is said next to what they pressed,
   in a role="alert" paragraph that screen readers read out at once (where: see place()):
   - no answer (network down, server not answering, timed out): "not saved, try again";
   - 403: the session ended or the page is out of date (its CSRF token): "reload the page";
   - 5xx: the portal's own fault;
   - another 4xx: the server's own sentence when it sent one in plain text (a campaign that may
     not be tagged says why), otherwise "not accepted, reload".
   The texts come translated from the page (#request-error-texts). The paragraph goes once the
   same element's next request succeeds. */
(function () {
  "use strict";
  var SENTENCE_MAX = 300;  // a plain-text answer longer than this is not a sentence for people

  function say(name) {
    var texts = document.getElementById("request-error-texts");
    return (texts && texts.getAttribute("data-say-" + name)) || "";
  }

  // Where the message goes: at the end of the request's target when that holds what was pressed
  // (an offer's outcome area: below its buttons, not between them), otherwise right after the
  // form (or element) that made the request.
  function place(detail) {
    var element = detail.elt;
    var target = detail.target;
    if (target && target !== element && target.contains(element)) {
      return { parent: target, after: target.lastElementChild };
    }
    var anchor = (element.closest && element.closest("form")) || element;
    return { parent: anchor.parentNode, after: anchor };
  }

  // The message already shown at that place: the target's last element, or the next sibling.
  function noteAt(spot) {
    var after = spot.after;
    if (after && after.classList.contains("request-error")) { return after; }
    var next = after && after.nextElementSibling;
    return next && next.classList.contains("request-error") ? next : null;
  }

  function show(detail, words) {
    var spot = place(detail);
    if (!spot.parent || !words) { return; }
    var note = noteAt(spot);
    if (!note) {
      note = document.createElement("p");
      note.className = "request-error";
      note.setAttribute("role", "alert");
      spot.parent.insertBefore(note, spot.after ? spot.after.nextSibling : null);
    }
    note.textContent = "";  // emptied first: the same words again are read again
    setTimeout(function () { note.textContent = words; }, 50);
  }

  function refused(xhr) {
    var status = xhr.status;
    if (status === 403) { return say("session"); }
    if (status >= 500) { return say("server"); }
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var body = (xhr.responseText || "").trim();
    if (type.indexOf("text/plain") === 0 && body && body.length <= SENTENCE_MAX) { return body; }
    return say("refused");
  }

  document.addEventListener("htmx:responseError", function (event) {
    show(event.detail, refused(event.detail.xhr));
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) { show(event.detail, say("network")); });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { return; }
    var note = noteAt(place(event.detail));
    if (note) { note.remove(); }
  });
})();
