// The inbox list: j/k move, Enter/o open, x tick, a assign to me, c close, r reply,
// ? help. Without JavaScript the list, its links and the bulk form work the same.
(function () {
  "use strict";
  const table = document.querySelector("table[data-inbox-list]");
  const help = document.getElementById("inbox-help");
  const quick = document.getElementById("inbox-quick");
  const typing = function (e) { return /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(e.target.tagName) || e.target.isContentEditable; };

  document.querySelectorAll("[data-inbox-help-open]").forEach(function (button) {
    button.addEventListener("click", function () { if (help) { help.showModal(); } });
  });
  const all = document.querySelector("[data-inbox-all]");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=items][type=checkbox]").forEach(function (box) { box.checked = all.checked; });
    });
  }
  if (!table) { return; }

  const rows = function () { return Array.from(table.querySelectorAll("tbody tr[data-item]")); };
  let current = -1;
  // Come back to the row that was acted on (the page reloads after a shortcut).
  const remembered = sessionStorage.getItem("inbox-current");
  if (remembered) {
    sessionStorage.removeItem("inbox-current");
    const i = rows().findIndex(function (r) { return r.dataset.item === remembered; });
    if (i >= 0) { select(i); }
  }

  function select(i) {
    const all = rows();
    if (!all.length) { return; }
    if (current >= 0 && all[current]) { all[current].classList.remove("kb-active"); all[current].removeAttribute("aria-current"); }
    current = Math.max(0, Math.min(i, all.length - 1));
    all[current].classList.add("kb-active");
    all[current].setAttribute("aria-current", "true");
    all[current].scrollIntoView({ block: "nearest" });
  }

  function act(fields, stay) {
    const row = rows()[current];
    if (!row || !quick) { return; }
    quick.elements.action.value = fields.action;
    quick.elements.items.value = row.dataset.item;
    quick.elements.assignee.value = fields.assignee || "";
    quick.elements.status.value = fields.status || "";
    const next = rows()[current + 1];
    sessionStorage.setItem("inbox-current", (stay || !next ? row : next).dataset.item);
    quick.submit();
  }

  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) { return; }
    if (help && help.open) { return; }
    const row = rows()[current];
    switch (e.key) {
      case "j": e.preventDefault(); select(current + 1); break;
      case "k": e.preventDefault(); select(current < 0 ? 0 : current - 1); break;
      case "?": e.preventDefault(); if (help) { help.showModal(); } break;
      case "Enter": case "o": if (row) { e.preventDefault(); window.location.href = row.dataset.detail; } break;
      case "r": if (row) { e.preventDefault(); window.location.href = row.dataset.detail + "#reply"; } break;
      case "x": if (row) { const box = row.querySelector("input[type=checkbox]"); if (box) { e.preventDefault(); box.checked = !box.checked; } } break;
      case "a": if (row && quick) { e.preventDefault(); act({ action: "assign", assignee: "me" }, true); } break;
      case "c": if (row && quick) { e.preventDefault(); act({ action: "status", status: "closed" }, false); } break;
      default: break;
    }
  });
})();
