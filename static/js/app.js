// SocialHub page behaviour: small, dependency-free, and every page works without it.
(function () {
  "use strict";

  // Brand switcher: type to filter, arrow keys to move, Escape to close; "b" opens it.
  document.querySelectorAll("[data-switcher]").forEach(function (switcher) {
    const filter = switcher.querySelector("[data-switcher-filter]");
    const links = function () {
      return Array.from(switcher.querySelectorAll("a[data-brand-slug]")).filter(function (a) { return !a.hidden; });
    };
    switcher.addEventListener("toggle", function () { if (switcher.open && filter) { filter.focus(); } });
    if (filter) {
      filter.addEventListener("input", function () {
        const q = filter.value.trim().toLowerCase();
        switcher.querySelectorAll("a[data-brand-slug]").forEach(function (a) {
          a.hidden = q !== "" && !a.textContent.toLowerCase().includes(q);
        });
      });
      filter.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { const first = links()[0]; if (first) { e.preventDefault(); first.click(); } }
      });
    }
    switcher.addEventListener("keydown", function (e) {
      const items = links();
      const i = items.indexOf(document.activeElement);
      if (e.key === "ArrowDown") { e.preventDefault(); (items[i + 1] || items[0]).focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (items[i - 1] || items[items.length - 1]).focus(); }
      if (e.key === "Escape") { switcher.open = false; switcher.querySelector("summary").focus(); }
    });
    document.addEventListener("click", function (e) { if (!switcher.contains(e.target)) { switcher.open = false; } });
  });

  const typing = function (e) { return /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable; };

  // Keyboard-friendly lists: j/k move through rows, Enter opens the row's first link.
  document.querySelectorAll("table[data-keyboard-list]").forEach(function (table) {
    let current = -1;
    const rows = function () { return Array.from(table.querySelectorAll("tbody tr")).filter(function (r) { return r.querySelector("a"); }); };
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) { return; }
      const all = rows();
      if (!all.length) { return; }
      if (e.key === "j" || e.key === "k") {
        if (current >= 0 && all[current]) { all[current].classList.remove("kb-active"); }
        current = e.key === "j" ? Math.min(current + 1, all.length - 1) : Math.max(current - 1, 0);
        all[current].classList.add("kb-active");
        all[current].scrollIntoView({ block: "nearest" });
      } else if (e.key === "Enter" && current >= 0) {
        all[current].querySelector("a").click();
      }
    });
  });

  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) { return; }
    if (e.key === "b") {
      const s = document.querySelector("[data-switcher]");
      if (s) { e.preventDefault(); s.open = true; }
    }
  });
})();
