// Import pages (no inline script: the CSP forbids it).
// A form with data-upload is sent with XMLHttpRequest so the upload shows a progress bar
// (<progress data-upload-progress>); files over data-max-bytes are refused before uploading.
// The server answers {"redirect": url} (then the job page polls the import's progress with HTMX)
// or {"errors": [...]}. Without JavaScript the form posts normally.
(function () {
  function showErrors(form, errors) {
    var box = form.querySelector(".upload-errors");
    if (!box) { window.alert(errors.join("\n")); return; }
    box.innerHTML = "";
    errors.forEach(function (text) {
      var li = document.createElement("li");
      li.className = "msg-error";
      li.textContent = text;
      box.appendChild(li);
    });
    box.hidden = false;
  }

  function setBusy(form, busy) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = busy;
    var status = form.querySelector(".upload-status");
    if (status) status.hidden = !busy;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload")) return;
    if (typeof FormData === "undefined" || typeof XMLHttpRequest === "undefined") return;
    var input = form.querySelector("input[type=file]");
    var limit = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    if (input && input.files && input.files[0] && limit && input.files[0].size > limit) {
      ev.preventDefault();
      showErrors(form, ["文件超过大小上限（" + form.getAttribute("data-max-human") + "），请拆分后分批导入。"]);
      return;
    }
    ev.preventDefault();
    var bar = form.querySelector("[data-upload-progress]");
    var label = form.querySelector("[data-upload-percent]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.pathname);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((e.loaded / e.total) * 100);
      if (bar) bar.value = pct;
      if (label) label.textContent = pct + "%";
    });
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (data && data.redirect) { window.location.assign(data.redirect); return; }
      setBusy(form, false);
      if (data && data.errors) { showErrors(form, data.errors); return; }
      if (xhr.status === 403) { showErrors(form, ["您没有导入数据的权限，或登录已过期，请刷新页面后重试。"]); return; }
      showErrors(form, ["上传失败（HTTP " + xhr.status + "），请重试。"]);
    });
    xhr.addEventListener("error", function () {
      setBusy(form, false);
      showErrors(form, ["网络错误，上传未完成，请重试。"]);
    });
    setBusy(form, true);
    xhr.send(new FormData(form));
  });
})();
