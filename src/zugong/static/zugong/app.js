// Zugong page behaviour without inline script (the CSP forbids it).
// Charts: any element with data-chart holds a JSON ECharts option in a <script type="application/json">
// sibling referenced by data-chart (its id); ECharts is loaded by the page that needs it.
(function () {
  function renderCharts(root) {
    if (typeof echarts === "undefined") return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-chart"));
      if (!src) return;
      var option = JSON.parse(src.textContent);
      var chart = echarts.getInstanceByDom(el) || echarts.init(el);
      chart.setOption(option, true);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // Elements with data-confirm ask before submitting.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  // Auto-submit filter forms when a select changes (data-autosubmit).
  document.addEventListener("change", function (ev) {
    var form = ev.target.form;
    if (form && form.hasAttribute("data-autosubmit") && ev.target.tagName === "SELECT") form.requestSubmit();
  });
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { renderCharts(ev.target); });
  window.zugongRenderCharts = renderCharts;
})();
