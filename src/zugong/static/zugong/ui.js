// Zugong page behaviour for the tree, list and detail pages (no inline script: the CSP forbids it).
// - Organization tree: a .tree-toggle button expands/collapses the sibling .tree-children list; the first
//   expansion loads the children with HTMX (hx-get on the button, hx-trigger="click once").
// - Tabs: a [data-tabs] container with .tablist links (href="#panel-id") and .tabpanel sections shows
//   one panel at a time; without JavaScript every panel stays visible.
(function () {
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest(".tree-toggle");
    if (!btn) return;
    var li = btn.closest("li");
    var list = li && li.querySelector(":scope > .tree-children");
    if (!list) return;
    var open = btn.getAttribute("aria-expanded") === "true";
    btn.setAttribute("aria-expanded", open ? "false" : "true");
    list.hidden = open;
  });

  function showTab(container, id) {
    var found = false;
    container.querySelectorAll(":scope > .tabpanel").forEach(function (panel) {
      var on = panel.id === id;
      panel.hidden = !on;
      found = found || on;
    });
    container.querySelectorAll(":scope > .tablist > .tab").forEach(function (tab) {
      var on = tab.getAttribute("href") === "#" + id;
      tab.classList.toggle("active", on);
      tab.setAttribute("aria-selected", on ? "true" : "false");
    });
    return found;
  }

  function initTabs(root) {
    (root || document).querySelectorAll("[data-tabs]").forEach(function (container) {
      var first = container.querySelector(":scope > .tabpanel");
      if (!first) return;
      var wanted = window.location.hash ? window.location.hash.slice(1) : "";
      if (!wanted || !showTab(container, wanted)) showTab(container, first.id);
      container.querySelectorAll(":scope > .tablist > .tab").forEach(function (tab) {
        tab.addEventListener("click", function (ev) {
          ev.preventDefault();
          var id = tab.getAttribute("href").slice(1);
          showTab(container, id);
          if (window.history && window.history.replaceState) window.history.replaceState(null, "", "#" + id);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initTabs(document); });
})();
