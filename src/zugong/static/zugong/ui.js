// Zugong page behaviour for the tree, list and detail pages (no inline script: the CSP forbids it).
// - Organization tree: a .tree-toggle button expands/collapses the sibling .tree-children list; the first
//   expansion loads the children with HTMX (hx-get on the button, hx-trigger="click once").
// - Collapsible tree panel: a [data-tree-collapse] button in a [data-tree-split] page folds the tree into a
//   narrow strip (class tree-collapsed) and back; the choice is remembered (localStorage "zugong.tree").
//   Without a remembered choice, a tree of a single organization starts folded: it has nothing to pick.
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

  function setTreeFolded(split, folded) {
    split.classList.toggle("tree-collapsed", folded);
    var btn = split.querySelector("[data-tree-collapse]");
    if (!btn) return;
    var label = folded ? "展开组织树" : "收起组织树";
    btn.setAttribute("aria-expanded", folded ? "false" : "true");
    btn.setAttribute("title", label);
    btn.setAttribute("aria-label", label);
  }

  function initTreePanel(root) {
    (root || document).querySelectorAll("[data-tree-split]").forEach(function (split) {
      var remembered = null;
      try { remembered = window.localStorage.getItem("zugong.tree"); } catch (e) { /* storage blocked */ }
      var single = split.querySelectorAll(".tree li").length <= 1;
      setTreeFolded(split, remembered ? remembered === "folded" : single);
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-tree-collapse]");
    if (!btn) return;
    var split = btn.closest("[data-tree-split]");
    var folded = !split.classList.contains("tree-collapsed");
    setTreeFolded(split, folded);
    try { window.localStorage.setItem("zugong.tree", folded ? "folded" : "open"); } catch (e) { /* storage blocked */ }
  });

  document.addEventListener("DOMContentLoaded", function () { initTabs(document); initTreePanel(document); });
})();
