/* examprep taking screen: countdown, autosave, answer limits, strike-through, keyboard.
 *
 * The page works without this script (plain form posts). With it:
 * - the countdown runs from the server's remaining seconds (the browser's own clock is never
 *   read for the deadline, only its monotonic timer), re-synchronised whenever the tab is shown;
 * - every change is saved at once, one request at a time; a burst of clicks ends with a save of
 *   exactly what the screen shows; failures are retried with back-off;
 * - htmx swaps items in place; a navigation waits until pending saves are done.
 */
(function () {
  "use strict";

  var state = {
    deadline: null,        // performance.now() at which the server's clock reaches zero
    warned15: false,
    warned5: false,
    timeUp: false,
    pending: false,        // a change waits to be sent
    inFlight: false,       // a save request is on the wire
    blocked: false,        // the server refused for good (stale tab, finished exam)
    retryTimer: null,
    retryDelay: 1000,
    idleWaiters: []
  };

  function $(id) { return document.getElementById(id); }

  // ------------------------------------------------------------------ clock
  function syncFrom(root) {
    var seconds = parseInt(root && root.dataset.secondsLeft, 10);
    if (!isNaN(seconds)) {
      state.deadline = performance.now() + seconds * 1000;
    }
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((state.deadline - performance.now()) / 1000));
  }

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function warn(text) {
    var box = $("time-warning");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  }

  function tick() {
    var timer = $("timer");
    if (!timer || state.deadline === null) return;
    var left = secondsLeft();
    timer.textContent = format(left);
    timer.classList.toggle("timer-warning", left <= 900 && left > 300);
    timer.classList.toggle("timer-critical", left <= 300);
    if (left <= 900 && !state.warned15) {
      state.warned15 = true;
      if (left > 300) warn("Less than 15 minutes left.");
    }
    if (left <= 300 && !state.warned5) {
      state.warned5 = true;
      warn("Less than 5 minutes left. Unanswered questions count as wrong.");
    }
    if (left === 0) onTimeUp();
  }

  function onTimeUp() {
    if (state.timeUp) return;
    state.timeUp = true;
    warn("Time is up. Submitting your exam…");
    // Give a pending save a moment to land, then submit; the server finishes the attempt.
    var submit = function () {
      var form = $("timeout-form");
      if (form) form.submit();
    };
    Promise.race([whenIdle(), new Promise(function (r) { setTimeout(r, 3000); })]).then(submit);
  }

  function resync() {
    var root = $("exam");
    if (!root || !root.dataset.clockUrl) return;
    fetch(root.dataset.clockUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        // Ended elsewhere (submitted or abandoned in another tab): go where it ended.
        if (data.ended_url) { window.location.assign(data.ended_url); return; }
        state.deadline = performance.now() + data.seconds_left * 1000;
        if (data.finished) onTimeUp();
        tick();
      })
      .catch(function () { /* offline: keep counting locally */ });
  }

  // --------------------------------------------------------------- autosave
  function setSaveState(kind, text) {
    var el = $("save-state");
    if (!el) return;
    el.dataset.state = kind;
    el.textContent = text || {
      saving: "Saving…",
      saved: "Saved",
      retrying: "Not saved — retrying"
    }[kind] || "";
  }

  function whenIdle() {
    if (!state.pending && !state.inFlight) return Promise.resolve();
    return new Promise(function (resolve) { state.idleWaiters.push(resolve); });
  }

  function settleWaiters() {
    if (state.pending || state.inFlight) return;
    var waiters = state.idleWaiters;
    state.idleWaiters = [];
    waiters.forEach(function (resolve) { resolve(); });
  }

  function scheduleSave() {
    if (state.blocked) return;
    state.pending = true;
    setSaveState("saving");
    pump();
  }

  function scheduleRetry() {
    if (state.retryTimer) return;
    state.retryTimer = setTimeout(function () {
      state.retryTimer = null;
      pump();
    }, state.retryDelay);
    state.retryDelay = Math.min(state.retryDelay * 2, 15000);
  }

  function pump() {
    if (state.inFlight || !state.pending || state.blocked) return;
    var form = $("answer-form");
    var root = $("exam");
    if (!form || !root || !root.dataset.saveUrl) return;
    state.pending = false;
    state.inFlight = true;
    // Read the form now, not when the change happened: the newest state is what gets sent.
    var body = new FormData(form);
    body.delete("go");
    fetch(root.dataset.saveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            form.elements.revision.value = data.revision;
            state.retryDelay = 1000;
            updateNavigator(data);
            if (!state.pending) setSaveState("saved");
            return;
          }
          if (response.status === 410 && data.result_url) {
            state.blocked = true;
            setSaveState("error", data.message);
            window.location.assign(data.result_url);
            return;
          }
          if (response.status === 409 && data.code === "stale_revision") {
            // Another tab saved this item since this page was loaded: say so, offer a reload.
            state.blocked = true;
            setSaveState("error", "Not saved: changed in another tab");
            var box = $("conflict");
            if (box) box.hidden = false;
            return;
          }
          if (response.status >= 400 && response.status < 500) {
            // Refused for good (another tab changed this answer, or a bad request): say so.
            state.blocked = response.status === 409;
            setSaveState("error", data.message || "Not saved. Reload the page.");
            return;
          }
          throw new Error("HTTP " + response.status);
        });
      })
      .catch(function () {
        state.pending = true;
        setSaveState("retrying");
        scheduleRetry();
      })
      .then(function () {
        state.inFlight = false;
        if (!state.retryTimer) pump();
        settleWaiters();
      });
  }

  function updateNavigator(data) {
    var current = document.querySelector('.nav-item[aria-current="step"]');
    if (!current) return;
    var itemState = data.state || (data.answered ? "answered" : "unanswered");
    current.classList.toggle("is-answered", itemState === "answered");
    current.classList.toggle("is-incomplete", itemState === "incomplete");
    current.classList.toggle("is-flagged", !!data.flagged);
    current.setAttribute(
      "aria-label",
      "Question " + current.value + ", " + itemState + (data.flagged ? ", flagged" : "")
    );
  }

  // ------------------------------------------------------------- answering
  function enforceLimit(input) {
    var root = input.closest("[data-max-selections]");
    var form = $("answer-form");
    var message = $("limit-message");
    var max = parseInt(root.dataset.maxSelections, 10) || 1;
    var checked = form.querySelectorAll('input[name="selected"]:checked').length;
    if (input.type === "checkbox" && input.checked && checked > max) {
      input.checked = false;
      if (message) {
        message.textContent = (root.dataset.chooseHint || "") +
          " Clear one of your choices before choosing another.";
      }
      return false;
    }
    if (message) message.textContent = "";
    return true;
  }

  // --------------------------------------------------------------- ordering
  // Without this script an ordering item is a position select per step. With it, Move up /
  // Move down buttons appear, the list shows the steps in the chosen order, choosing a taken
  // position swaps the two steps, and every move is announced in the live region.
  function orderingSteps(list) {
    return Array.prototype.slice.call(list.querySelectorAll(".ordering-step"));
  }

  function stepText(step) {
    var label = step.querySelector(".step-text");
    if (!label) return "";
    var copy = label.cloneNode(true);
    copy.querySelectorAll(".visually-hidden").forEach(function (hidden) { hidden.remove(); });
    return copy.textContent.trim();
  }

  function announce(fieldset, text) {
    var status = fieldset.querySelector("[data-ordering-status]");
    if (!status) return;
    // Clear first, so the same sentence twice is announced twice.
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function numberSteps(list) {
    // The list order is the answer: every step takes the place it is shown at.
    var steps = orderingSteps(list);
    steps.forEach(function (step, index) {
      step.querySelector("select").value = String(index + 1);
      var up = step.querySelector('[data-move="up"]');
      var down = step.querySelector('[data-move="down"]');
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === steps.length - 1;
    });
  }

  function sortSteps(list) {
    // Placed steps by place, then the unplaced ones in the order they are shown.
    var steps = orderingSteps(list);
    steps.map(function (step, index) {
      var place = parseInt(step.querySelector("select").value, 10);
      return { step: step, key: isNaN(place) ? 1000 + index : place };
    }).sort(function (a, b) { return a.key - b.key; }).forEach(function (entry) {
      list.appendChild(entry.step);
    });
    orderingSteps(list).forEach(function (step, index, all) {
      var up = step.querySelector('[data-move="up"]');
      var down = step.querySelector('[data-move="down"]');
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === all.length - 1;
    });
  }

  function initOrdering() {
    document.querySelectorAll("[data-ordering]").forEach(function (fieldset) {
      fieldset.querySelectorAll(".step-moves").forEach(function (moves) { moves.hidden = false; });
      var list = fieldset.querySelector(".ordering-list");
      if (list) sortSteps(list);
      var legend = fieldset.querySelector("legend");
      if (legend && !fieldset.dataset.enhanced) {
        fieldset.dataset.enhanced = "1";
        legend.textContent = "Put the steps in order: move each step up or down, or give it a position (1 is first).";
      }
    });
  }

  function saveChange(element) {
    // Marked as the script's own, so the change handler saves it without treating it as a
    // position the candidate chose.
    element.dispatchEvent(new CustomEvent("change", { bubbles: true, detail: { moved: true } }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-move]");
    if (!button) return;
    event.preventDefault();
    var step = button.closest(".ordering-step");
    var list = step.parentNode;
    var fieldset = step.closest("[data-ordering]");
    var up = button.dataset.move === "up";
    var neighbour = up ? step.previousElementSibling : step.nextElementSibling;
    if (neighbour) list.insertBefore(step, up ? neighbour : neighbour.nextElementSibling);
    numberSteps(list);
    var steps = orderingSteps(list);
    var place = steps.indexOf(step) + 1;
    // Keep focus on a button that can still act, so repeated presses keep moving the step.
    if (button.disabled) {
      var other = step.querySelector('[data-move="' + (up ? "down" : "up") + '"]');
      if (other && !other.disabled) other.focus();
    } else {
      button.focus();
    }
    announce(fieldset, stepText(step) + ": position " + place + " of " + steps.length + ".");
    saveChange(step.querySelector("select"));
  });

  document.addEventListener("focusin", function (event) {
    var select = event.target;
    if (select.classList && select.classList.contains("step-place")) {
      select.dataset.previous = select.value;
    }
  });

  function onPlaceChosen(select) {
    // With the script, choosing a taken position swaps the two steps instead of refusing.
    var list = select.closest(".ordering-list");
    var fieldset = select.closest("[data-ordering]");
    var previous = select.dataset.previous || "";
    var chosen = select.value;
    orderingSteps(list).forEach(function (step) {
      var other = step.querySelector("select");
      if (other !== select && chosen && other.value === chosen) other.value = previous;
    });
    select.dataset.previous = chosen;
    var step = select.closest(".ordering-step");
    sortSteps(list);
    select.focus();
    announce(fieldset, chosen
      ? stepText(step) + ": position " + chosen + " of " + orderingSteps(list).length + "."
      : stepText(step) + ": no position.");
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.closest || !target.closest("#answer-form")) return;
    var moved = event.detail && event.detail.moved;
    if (target.classList.contains("step-place") && !moved) onPlaceChosen(target);
    if (target.name === "selected" && !enforceLimit(target)) return;
    if (target.name === "struck") {
      target.closest(".option").classList.toggle("is-struck", target.checked);
    }
    // Only the timed exam autosaves; practice answers are sent with "Check answer".
    var root = $("exam");
    if (root && root.dataset.saveUrl) scheduleSave();
  });

  function clickGo(value) {
    var button = document.querySelector(
      '#answer-form button[name="go"][value="' + value + '"], [data-shortcut="' + value + '"]'
    );
    if (button && !button.disabled) button.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    // A select takes typed letters and digits itself (a step's position, a prompt's response).
    if (target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable ||
        (target.tagName === "INPUT" && /^(text|email|password|number|search)$/.test(target.type)))) return;
    var key = event.key.toLowerCase();
    if (key === "n") { event.preventDefault(); clickGo("next"); return; }
    if (key === "p") { event.preventDefault(); clickGo("prev"); return; }
    var form = $("answer-form");
    if (!form) return;
    if (key === "enter" && form.querySelector('[data-shortcut="check"]')) {
      event.preventDefault();
      clickGo("check");
      return;
    }
    // M marks the item for review: never a letter an option can have (options go up to J).
    var flag = $("flag");
    if (key === "m" && flag) {
      event.preventDefault();
      flag.checked = !flag.checked;
      flag.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var index = -1;
    if (/^[1-9]$/.test(key)) index = parseInt(key, 10) - 1;
    else if (key === "0") index = 9;
    else if (/^[a-j]$/.test(key)) index = key.charCodeAt(0) - 97;
    if (index < 0) return;
    var input = $("option-" + index);
    if (!input) return;
    event.preventDefault();
    input.checked = input.type === "radio" ? true : !input.checked;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-reload]")) {
      event.preventDefault();
      window.location.reload();
    }
  });

  // -------------------------------------------------------------- text size
  // Applied at once; remembered on the account in the background (the form posts without JS).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-text-size]");
    if (!button) return;
    event.preventDefault();
    var size = button.dataset.textSize;
    var root = document.documentElement;
    root.className = root.className.replace(/\btext-\w+/g, "").trim() + " text-" + size;
    document.querySelectorAll("[data-text-size]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    var form = button.form;
    var body = new FormData(form);
    body.set("size", size);
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).catch(function () { /* kept for this page; saved next time */ });
  });

  // ------------------------------------------------------------ navigation
  // htmx asks before it sends: hold a navigation until the saves in flight have landed.
  document.addEventListener("htmx:confirm", function (event) {
    if (!state.pending && !state.inFlight) return;
    event.preventDefault();
    whenIdle().then(function () { event.detail.issueRequest(true); });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    initOrdering();
    var root = $("exam");
    if (root) {
      state.blocked = false;
      syncFrom(root);
      tick();
    }
    // Move focus to the new question for screen readers, but only when a question was swapped.
    var swapped = event.detail.target && event.detail.target.id;
    var heading = $("question-heading");
    if (heading && (swapped === "exam" || swapped === "practice")) {
      heading.focus({ preventScroll: true });
    }
  });

  // The server answered, but with an error that has no page to show (404, 500, ...): that is
  // not the connection. (A refused answer comes back as 422 or 409 and is swapped in.)
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    setSaveState("error", "The server could not do that (error " + status + "). Reload the page to continue.");
  });
  document.addEventListener("htmx:sendError", function () {
    setSaveState("retrying", "Offline — your answers will be saved when you reconnect.");
  });

  window.addEventListener("online", function () {
    if (state.retryTimer) {
      clearTimeout(state.retryTimer);
      state.retryTimer = null;
    }
    state.retryDelay = 1000;
    pump();
    resync();
  });

  window.addEventListener("beforeunload", function (event) {
    if ((state.pending || state.inFlight) && !state.timeUp) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) resync();
  });

  function init() {
    initOrdering();
    var root = $("exam");
    if (!root) return;
    syncFrom(root);
    tick();
    setInterval(tick, 250);
    // The heartbeat: while the page is visible, tell the server every 30 s which item is on
    // screen (it times each item by its own clock) and take its seconds left.
    setInterval(function () { if (!document.hidden) resync(); }, 30000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
