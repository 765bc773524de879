/* Customer-need notes (console and outbound screen): a live character counter under the
   note, and saving without leaving the page. The form works without this script (a plain POST
   and a redirect back); with it, the note is sent by fetch (Accept: application/json, the
   page's CSRF token), appears at the top of the customer's "Needs noted" at once, and the
   form is cleared for the next one. Ctrl+Enter (⌘+Enter) in the text saves, like the button. */
(function () {
  "use strict";

  function announce(words) {
    var region = document.getElementById("announcer");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = words; }, 50);
  }

  function counter(form) {
    var field = form.querySelector("textarea[name=text]");
    var out = form.querySelector(".need-note-count");
    if (!field || !out) { return function () {}; }
    var limit = parseInt(field.getAttribute("maxlength"), 10) || 500;
    function update() {
      var left = limit - Array.from(field.value).length;
      out.textContent = out.dataset.left.replace("%(left)s", left).replace("%(limit)s", limit);
      out.classList.toggle("format-over", left < 0);
      out.hidden = false;
    }
    field.addEventListener("input", update);
    update();
    return update;
  }

  function showErrors(box, errors) {
    box.textContent = "";
    if (!errors.length) { box.hidden = true; return; }
    var list = document.createElement("ul");
    errors.forEach(function (error) {
      var item = document.createElement("li");
      item.textContent = error;
      list.appendChild(item);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  function addToHistory(html) {
    var list = document.getElementById("need-notes-list");
    if (!list) { return; }
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    list.insertBefore(holder.content, list.firstChild);
    var empty = document.getElementById("need-notes-empty");
    if (empty) { empty.remove(); }
  }

  function attach(form) {
    var update = counter(form);
    var errors = form.querySelector(".need-note-errors");
    var button = form.querySelector("button[type=submit]");
    var text = form.querySelector("textarea[name=text]");

    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }  // the plain POST does it
      event.preventDefault();
      var data = new FormData(form);
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "X-CSRFToken": data.get("csrfmiddlewaretoken") || ""
        }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (answer.ok) {
          showErrors(errors, []);
          addToHistory(answer.body.html);
          form.reset();
          update();
          announce(answer.body.message || form.dataset.saySaved);
          var first = form.querySelector("input[name=tags]") || text;
          first.focus();
        } else {
          showErrors(errors, answer.body.errors || [form.dataset.sayFailed]);
        }
      }).catch(function () {
        showErrors(errors, [form.dataset.sayFailed]);
      }).then(function () {
        button.disabled = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.need-notes-form").forEach(attach);
  });
})();
