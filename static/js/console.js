/* The console's customer page: keyboard shortcuts, and the live parts of an offer's card.

   Shortcuts act only in a sequence, so a stray key records nothing: an offer's number (1-3)
   selects it, then within a few seconds A accepted, L later, D declined (the reasons open),
   N not presented. Any other key cancels the selection; keys typed into a field are never
   shortcuts; U undoes the outcome whose confirmation has focus (it has, just after recording).
   Those are the English keys: the page gives each language's on #keys (data-key-*), the first
   letter of each button's label there (P, D, O, N and C in Polish).
   The "Keyboard shortcuts" switch turns them all off, remembered for the signed-in user in this
   browser (WCAG 2.1.4): colleagues sharing a counter's computer each keep their own choice.
   Confirmations are read out from the page's #announcer, a live region there since page load.
   An Undo button counts down and goes when its period ends; the server decides regardless. */
(function () {
  "use strict";
  var LEGACY_STORE = "cvm.console.shortcuts";  // before the choice was kept per user
  var SELECTION_MS = 4000;
  var MODIFIER = /^(Shift|Control|Alt|AltGraph|Meta|CapsLock|NumLock|Fn|OS|Dead|Unidentified)$/;
  var keys = document.getElementById("keys");
  var OUTCOME_KEYS = {};  // key → the button's value, or which reasons to open (0, 1)
  OUTCOME_KEYS[keyFor("accepted", "a")] = "accepted";
  OUTCOME_KEYS[keyFor("later", "l")] = "later";
  OUTCOME_KEYS[keyFor("declined", "d")] = 0;
  OUTCOME_KEYS[keyFor("not-presented", "n")] = 1;
  var UNDO_KEY = keyFor("undo", "u");
  var toggle = document.getElementById("keys-on");
  var status = document.getElementById("keys-status");
  var selected = null;
  var timer = null;
  var STORE = LEGACY_STORE + "." + ((keys && keys.getAttribute("data-user")) || "anyone");

  // The key the page gives for a button (in its language), lower case, as keydown compares.
  function keyFor(name, fallback) {
    var given = keys && keys.getAttribute("data-key-" + name);
    return (given || fallback).toLowerCase();
  }

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

  // What a screen reader would read of an element: its text without the aria-hidden parts (✓).
  function spoken(element) {
    var copy = element.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("[aria-hidden=true]"), function (hidden) {
      hidden.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // Emptied first, so the same words twice in a row (two offers accepted) are read twice.
  function announce(words) {
    var region = document.getElementById("announcer");
    if (!region) { return; }
    region.textContent = "";
    setTimeout(function () { region.textContent = words; }, 50);
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
    if (key === UNDO_KEY) {
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
    if (focus) {
      focus.focus();
      if (focus.getAttribute("role") !== "alert") { announce(spoken(focus)); }
    } else {
      // Nothing to confirm (should not happen): keep the focus in the card, never on <body>.
      var first = target.querySelector("button");
      if (first) { first.focus(); }
    }
    countDown(target);
  });

  function remembered() {
    try {
      var kept = window.localStorage.getItem(STORE);
      if (kept === null) { kept = window.localStorage.getItem(LEGACY_STORE); }
      return kept !== "off";
    } catch (e) { return true; }
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
