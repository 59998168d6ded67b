// Content calendar: drag a post to another day (keeps its time of day), and the post
// form's live character counter and UTM preview. Every page works without it: the post
// page has a "Move to date" form, the server checks the limits.
(function () {
  "use strict";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Drag and drop on the month/week grid.
  const grid = document.querySelector("[data-calendar]");
  if (grid) {
    let dragged = null;
    grid.addEventListener("dragstart", function (e) {
      const chip = e.target.closest("[data-move-url]");
      if (!chip) { return; }
      dragged = chip;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", chip.dataset.moveUrl);
      chip.classList.add("is-dragging");
    });
    grid.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("is-dragging"); }
      grid.querySelectorAll(".is-drop-target").forEach(function (d) { d.classList.remove("is-drop-target"); });
    });
    grid.addEventListener("dragover", function (e) {
      const day = e.target.closest("[data-date]");
      if (day && dragged) { e.preventDefault(); day.classList.add("is-drop-target"); }
    });
    grid.addEventListener("dragleave", function (e) {
      const day = e.target.closest("[data-date]");
      if (day && !day.contains(e.relatedTarget)) { day.classList.remove("is-drop-target"); }
    });
    grid.addEventListener("drop", function (e) {
      const day = e.target.closest("[data-date]");
      if (!day || !dragged) { return; }
      e.preventDefault();
      const chip = dragged;
      const body = new URLSearchParams({ date: day.dataset.date });
      chip.setAttribute("aria-busy", "true");
      fetch(chip.dataset.moveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          day.appendChild(chip);
          window.location.reload();
        } else {
          window.alert(result.data.message || "The post could not be moved.");
        }
      }).catch(function () {
        window.alert("The post could not be moved: no answer from the server.");
      }).finally(function () { chip.removeAttribute("aria-busy"); });
    });
  }

  // The post form: characters left for the chosen channel, and the final UTM address.
  const form = document.querySelector("[data-post-form]");
  if (form) {
    const text = form.querySelector("[data-post-text]");
    const counter = form.querySelector("[data-post-counter]");
    const account = form.querySelector("select[name=account]");
    const platformsEl = document.getElementById("post-account-platforms");
    const platforms = platformsEl ? JSON.parse(platformsEl.textContent) : {};
    const limits = {};
    (text.dataset.limits || "").split(",").forEach(function (pair) {
      const parts = pair.split(":");
      if (parts.length === 2) { limits[parts[0]] = parseInt(parts[1], 10); }
    });
    const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
    const length = function (value, platform) {
      if (platform === "bluesky" && segmenter) { return Array.from(segmenter.segment(value)).length; }
      return Array.from(value).length;
    };
    const update = function () {
      const platform = account ? platforms[account.value] : null;
      const limit = platform ? limits[platform] : null;
      const n = length(text.value.trim(), platform);
      if (!limit) { counter.textContent = n + " characters"; counter.classList.remove("error"); return; }
      const left = limit - n;
      counter.textContent = left >= 0 ? left + " of " + limit + " left" : (-left) + " over the " + limit + " limit";
      counter.classList.toggle("error", left < 0);
    };
    text.addEventListener("input", update);
    if (account) { account.addEventListener("change", update); }
    update();

    const preview = form.querySelector("[data-utm-preview]");
    const link = form.querySelector("input[name=link]");
    const utm = ["source", "medium", "campaign", "content"].map(function (k) { return form.querySelector("input[name=utm_" + k + "]"); });
    const buildUrl = function () {
      if (!link || !preview) { return; }
      if (!link.value) { preview.textContent = "—"; return; }
      try {
        const url = new URL(link.value.indexOf("://") > 0 ? link.value : "https://" + link.value);
        utm.forEach(function (input) { if (input && input.value.trim()) { url.searchParams.set(input.name, input.value.trim()); } });
        preview.textContent = url.toString();
      } catch (err) { preview.textContent = "Not a valid address yet"; }
    };
    [link].concat(utm).forEach(function (input) { if (input) { input.addEventListener("input", buildUrl); } });
    buildUrl();
  }
})();
