/* The console's customer page: keyboard shortcuts, and the live parts of an offer's card.

   Shortcuts act only in a sequence, so a stray key records nothing: an offer's number (1-3)
   selects it, then within a few seconds A accepted, L later, D declined (the reasons open),
   N not presented. Any other key cancels the selection; keys typed into a field are never
   shortcuts; U undoes the outcome whose confirmation has focus (it has, just after recording).
   The "Keyboard shortcuts" switch turns them all off, remembered in this browser (WCAG 2.1.4).
   An Undo button counts down and goes when its period ends; the server decides regardless. */
(function () {
  "use strict";
  var STORE = "cvm.console.shortcuts";
  var SELECTION_MS = 4000;
  var MODIFIER = /^(Shift|Control|Alt|AltGraph|Meta|CapsLock|NumLock|Fn|OS|Dead|Unidentified)$/;
  var OUTCOME_KEYS = { a: "accepted", l: "later", d: 0, n: 1 };  // d, n: which reasons to open
  var keys = document.getElementById("keys");
  var toggle = document.getElementById("keys-on");
  var status = document.getElementById("keys-status");
  var selected = null;
  var timer = null;

  function text(name, values) {
    var said = (keys && keys.getAttribute("data-say-" + name)) || "";
    Object.keys(values || {}).forEach(function (key) {
      said = said.replace("%(" + key + ")s", values[key]);
    });
    return said;
  }

  function say(words) {
    if (status) { status.textContent = words; }
  }

  function enabled() {
    return Boolean(toggle) && toggle.checked;
  }

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("ol.offers > li"));
  }

  function unselect(announce) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!selected) { return; }
    selected.classList.remove("selected");
    var hint = selected.querySelector(".selected-hint");
    if (hint) { hint.hidden = true; }
    selected = null;
    if (announce) { say(text("cancelled")); }
  }

  function select(card, number) {
    unselect(false);
    selected = card;
    card.classList.add("selected");
    var hint = card.querySelector(".selected-hint");
    if (hint) { hint.hidden = false; }
    var focus = card.querySelector(".outcome button[value=accepted]") ||
      card.querySelector(".outcome [data-focus-after-swap]");
    if (focus) { focus.focus(); }
    var title = card.querySelector("h3");
    say(text("selected", { number: number, title: title ? title.textContent.trim() : "" }));
    timer = setTimeout(function () { unselect(true); }, SELECTION_MS);
  }

  function act(card, key) {
    var what = OUTCOME_KEYS[key];
    if (typeof what === "string") {
      var button = card.querySelector(".outcome button[value=" + what + "]");
      if (button) { button.click(); return; }
    } else {
      var details = card.querySelectorAll(".outcome details.reasons")[what];
      if (details) {
        details.open = true;
        var first = details.querySelector("form button");
        if (first) { first.focus(); }
        return;
      }
    }
    say(text("done"));  // its outcome is recorded already
  }

  function undoButtonInFocus() {
    var focused = document.activeElement;
    var region = focused && focused.closest && focused.closest(".outcome");
    return region ? region.querySelector(".undo-form button") : null;
  }

  function inField(target) {
    return Boolean(target && target.closest &&
      target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])"));
  }

  document.addEventListener("keydown", function (event) {
    if (!enabled() || !event.key || event.defaultPrevented || event.isComposing ||
        MODIFIER.test(event.key)) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || inField(event.target)) {
      unselect(false);
      return;
    }
    var list = cards();
    if (!list.length) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (event.repeat) { return; }  // a held key is not a sequence
    if (selected && Object.prototype.hasOwnProperty.call(OUTCOME_KEYS, key)) {
      var card = selected;
      event.preventDefault();
      unselect(false);
      act(card, key);
      return;
    }
    if (/^[1-9]$/.test(key) && list[Number(key) - 1]) {
      event.preventDefault();
      select(list[Number(key) - 1], key);
      return;
    }
    if (selected) {
      // Enter or Space go on to press the focused button; they need no "cancelled".
      unselect(key !== "Enter" && key !== " ");
      return;
    }
    if (key === "u") {
      var undo = undoButtonInFocus();
      if (undo) { event.preventDefault(); undo.click(); }
    }
  });

  function countDown(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".undo-form[data-undo-seconds]"), function (form) {
      if (form.hasAttribute("data-counting")) { return; }
      form.setAttribute("data-counting", "");
      var deadline = Date.now() + Number(form.getAttribute("data-undo-seconds")) * 1000;
      var shown = form.querySelector("[data-countdown]");
      var tick = setInterval(function () {
        var left = Math.ceil((deadline - Date.now()) / 1000);
        if (!form.isConnected) { clearInterval(tick); return; }
        if (left > 0) {
          if (shown) { shown.textContent = String(left); }
          return;
        }
        clearInterval(tick);
        var region = form.closest(".outcome");
        var hadFocus = form.contains(document.activeElement);
        form.remove();
        var recorded = region && region.querySelector(".recorded");
        if (hadFocus && recorded) { recorded.focus(); }
      }, 250);
    });
  }

  // After an outcome or an undo, the card's new part takes the focus: its confirmation is read
  // out, and U (undo) or a new sequence goes on from there. On "settle", not "swap": htmx makes
  // the new buttons its own only then (the card's forms settle at once: settle:0ms).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.classList || !target.classList.contains("outcome")) { return; }
    var focus = target.querySelector("[data-focus-after-swap]");
    if (focus) { focus.focus(); }
    countDown(target);
  });

  function remembered() {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  }

  function showSwitch() {
    document.body.classList.toggle("keys-off", !toggle.checked);
  }

  if (keys && toggle) {
    keys.hidden = false;
    toggle.checked = remembered();
    showSwitch();
    toggle.addEventListener("change", function () {
      try { window.localStorage.setItem(STORE, toggle.checked ? "on" : "off"); } catch (e) { /* kept for this page only */ }
      unselect(false);
      showSwitch();
      say(text(toggle.checked ? "on" : "off"));
    });
  }
  countDown(document);
})();
