/* Accessible names for admin widgets that Django leaves unnamed (WCAG 4.1.2, 1.3.1):
   - split date/time inputs: one <label> points at the date input; the time input has none;
   - select2 autocompletes: the combobox select2 draws is not tied to the field's label;
   - fields in tabular inlines and list-editable changelist rows: only a column header names them;
   - the filter boxes' search icon carries aria-label on a plain <span>, which ARIA does not allow.
   Names come from the label or header the page already shows, so they read as the page does.
   Run at load and again when select2 or "Add another" add widgets. */
(function () {
  "use strict";
  var script = document.currentScript;
  var EMPTY = (script && script.getAttribute("data-empty-label")) || "(empty)";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").replace(/:$/, "").trim() : "";
  }

  function labelFor(id) {
    return id ? document.querySelector('label[for="' + id + '"]') : null;
  }

  function name(input, words) {
    if (!input.hasAttribute("aria-label") && !input.hasAttribute("aria-labelledby") && words) {
      input.setAttribute("aria-label", words);
    }
  }

  function columnHeader(cell) {
    if (!cell) { return ""; }
    var row = cell.closest("tr");
    var table = cell.closest("table");
    if (!row || !table) { return ""; }
    var index = Array.prototype.indexOf.call(row.children, cell);
    var headers = table.querySelectorAll("thead tr:last-child > *");
    return text(headers[index]);
  }

  function repair(root) {
    // Split date and time: "Starts at: Date", "Starts at: Time" (the words Django puts before
    // each input).
    root.querySelectorAll("p.datetime").forEach(function (p) {
      // Django's label for the pair points at neither input (a MultiWidget has no id for it).
      var row = p.closest(".fieldBox, .form-row");
      var field = row && row.querySelector("label") ? text(row.querySelector("label")) :
        columnHeader(p.closest("td"));
      p.querySelectorAll("input").forEach(function (input) {
        var before = input.previousSibling;
        while (before && (before.nodeType !== 3 || !before.textContent.trim())) {
          before = before.previousSibling;
        }
        var part = before ? text(before) : "";
        name(input, field && part ? field + ": " + part : field || part);
      });
    });
    // select2: the combobox is named by the field's label.
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var label = select && labelFor(select.id);
      var rendered = box.querySelector(".select2-selection__rendered");
      if (rendered) {
        // Only the chosen value on show; the combobox itself is the field.
        rendered.removeAttribute("role");
        rendered.removeAttribute("aria-readonly");
      }
      if (label) {
        if (!label.id) { label.id = select.id + "-label"; }
        box.setAttribute("aria-labelledby", label.id + (rendered && rendered.id ? " " + rendered.id : ""));
      } else if (select) {
        box.removeAttribute("aria-labelledby");
        name(box, columnHeader(select.closest("td")));
      }
    });
    // Inline and list-editable fields: named by their column's header.
    root.querySelectorAll("td input:not([type=hidden]), td select, td textarea").forEach(function (field) {
      if (labelFor(field.id) || field.closest("p.datetime") || field.classList.contains("action-select")) {
        return;
      }
      var cell = field.closest("td");
      var row = field.closest("tr");
      var rowName = row ? text(row.querySelector("th")) : "";
      var column = columnHeader(cell);
      name(field, rowName && column ? column + " — " + rowName : column);
    });
    // A list filter's choice for a blank value shows no text at all.
    root.querySelectorAll("#changelist-filter a").forEach(function (link) {
      if (!link.textContent.trim()) { link.textContent = EMPTY; }
    });
    // The filter boxes' search icon: an image with a name, as ARIA allows.
    root.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function start() {
    repair(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) { repair(node.parentNode || node); }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
