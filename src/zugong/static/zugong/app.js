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
  // Downloads that take a while (xlsx exports): links and forms marked data-download send a random
  // token "dl"; an indicator with the elapsed time shows until the response sets the cookie
  // zugong_dl=<token> (core/downloads.py), i.e. until the file has arrived.
  function downloadToken() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function waitForDownload(token) {
    var box = document.getElementById("download-indicator");
    if (!box) return;
    var started = Date.now();
    box.hidden = false;
    box.textContent = "正在生成文件，请稍候……";
    var timer = window.setInterval(function () {
      var seconds = Math.round((Date.now() - started) / 1000);
      var arrived = document.cookie.split("; ").indexOf("zugong_dl=" + token) >= 0;
      if (arrived || seconds > 900) {
        window.clearInterval(timer);
        box.hidden = true;
        document.cookie = "zugong_dl=; Max-Age=0; path=/; SameSite=Strict";
        return;
      }
      box.textContent = "正在生成文件，请稍候……已用时 " + seconds + " 秒（范围大时可能需要一分钟左右）";
    }, 500);
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a[data-download]");
    if (!link || ev.defaultPrevented) return;
    var token = downloadToken();
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("dl", token);
    link.href = url.toString();
    waitForDownload(token);
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute || !form.hasAttribute("data-download") || ev.defaultPrevented) return;
    var input = form.querySelector("input[name=dl]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "dl";
      form.appendChild(input);
    }
    input.value = downloadToken();
    waitForDownload(input.value);
  });
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { renderCharts(ev.target); });
  window.zugongRenderCharts = renderCharts;
})();
