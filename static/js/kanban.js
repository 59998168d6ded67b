/* The influencer board: drag a card to another column to move the relationship.
   POSTs the new stage with the CSRF token; on failure the page reloads to the truth.
   Without JS (or with a keyboard) each card's stage select does the same. */
(function () {
  "use strict";
  var board = document.querySelector("[data-kanban][data-editable]");
  if (!board) return;

  function csrfToken() {
    var input = board.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function updateCounts() {
    board.querySelectorAll(".kanban-column").forEach(function (column) {
      var badge = column.querySelector("h2 .badge");
      if (badge) badge.textContent = column.querySelectorAll(".kanban-card").length;
    });
  }

  var dragged = null;

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest(".kanban-card");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    board.querySelectorAll(".is-drop-target").forEach(function (el) {
      el.classList.remove("is-drop-target");
    });
    dragged = null;
  });

  board.addEventListener("dragover", function (event) {
    var column = event.target.closest(".kanban-column");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("is-drop-target");
  });

  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest(".kanban-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-drop-target");
  });

  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".kanban-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("is-drop-target");
    var card = dragged;
    var stage = column.dataset.stage;
    var from = card.parentElement;
    if (card.closest(".kanban-column") === column) return;
    column.querySelector(".kanban-cards").appendChild(card);
    updateCounts();
    var body = new URLSearchParams({ stage: stage });
    fetch(card.dataset.moveUrl, {
      method: "POST",
      headers: {
        "X-CSRFToken": csrfToken(),
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      credentials: "same-origin",
      body: body.toString(),
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var select = card.querySelector("select[name=stage]");
        if (select) select.value = data.stage;
        var suggestion = card.querySelector(".suggestion");
        if (suggestion) suggestion.remove();
        card.classList.remove("has-suggestion");
        card.focus();
      })
      .catch(function () {
        from.appendChild(card);
        updateCounts();
        window.location.reload();
      });
  });
})();
