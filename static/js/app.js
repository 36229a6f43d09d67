/* Policy archive: a little progressive enhancement; every page works without it. */
(function () {
  "use strict";

  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.classList.add("show");
    window.clearTimeout(toast.timer);
    toast.timer = window.setTimeout(function () { el.classList.remove("show"); }, 2500);
  }

  /* Copy text: the async clipboard API where allowed, else a hidden textarea. */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "visually-hidden";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button.copy-link, button.copy-text") : null;
    if (!btn) return;
    var text = btn.classList.contains("copy-text")
      ? (document.getElementById(btn.getAttribute("data-target")) || {}).textContent || ""
      : btn.getAttribute("data-url");
    copyText(text.trim()).then(
      function () { document.body.setAttribute("data-copied", text.trim()); toast("已複製：" + text.trim()); },
      function () { window.prompt("請手動複製：", text.trim()); }
    );
  });

  /* Document page: find-in-document navigation, scrolling to the first hit,
     and old passage anchors (#p-…) that a revised version no longer has. */
  function initDocument() {
    var text = document.getElementById("text");
    if (!text) return;
    var marks = Array.prototype.slice.call(text.querySelectorAll("mark.hit"));
    var current = -1;
    function go(i) {
      if (!marks.length) return;
      if (current >= 0) marks[current].classList.remove("current");
      current = (i + marks.length) % marks.length;
      var m = marks[current];
      m.classList.add("current");
      m.scrollIntoView({ block: "center" });
      var status = document.getElementById("find-status");
      if (status) status.setAttribute("data-current", String(current + 1));
      var position = document.getElementById("find-position");
      var before = parseInt(text.getAttribute("data-hits-before") || "0", 10);
      var total = text.getAttribute("data-hits-total") || String(marks.length);
      if (position) position.textContent = (before + current + 1) + " / " + total;
    }
    document.querySelectorAll("[data-find]").forEach(function (b) {
      b.addEventListener("click", function () { go(current + (b.getAttribute("data-find") === "prev" ? -1 : 1)); });
    });

    var hash = decodeURIComponent(window.location.hash.slice(1));
    if (hash && /^p-[0-9a-f]{6,}$/.test(hash) && !document.getElementById(hash)) {
      var params = new URLSearchParams(window.location.search);
      if (text.getAttribute("data-parts") !== "1" && !params.has("at")) {
        /* A long document shows one part: ask for the part that holds the passage. */
        params.set("at", hash);
        params.delete("part");
        window.location.replace(window.location.pathname + "?" + params.toString() + "#" + hash);
        return;
      }
      /* An anchor from an older version: ask where it lands now; never guess. */
      window.location.replace(text.getAttribute("data-passage-base") + encodeURIComponent(hash));
      return;
    }
    if (!hash && marks.length) {
      go(0);
    } else if (hash) {
      var target = document.getElementById(hash);
      if (target) target.classList.add("is-target");
    }
  }

  /* Upload page: one request per file, so each file shows its own upload
     progress, then poll the job until the archive reports the outcome. */
  var LABELS = { queued: "排隊中", working: "處理中", ingested: "已收錄", unchanged: "未變更（已有相同檔案）",
                 updated: "已更新為新版本", failed: "失敗" };

  function initUpload() {
    var form = document.getElementById("upload-form");
    if (!form || !window.FormData || !window.XMLHttpRequest) return;
    var list = document.getElementById("job-list");
    var tpl = document.getElementById("job-template");
    var statusUrl = form.getAttribute("data-status-url");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;

    function row(name) {
      var empty = list.querySelector(".job--empty");
      if (empty) empty.remove();
      var li = tpl.content.firstElementChild.cloneNode(true);
      li.querySelector(".job__name").textContent = name;
      li.querySelector(".job__status").textContent = "上傳中…";
      list.appendChild(li);
      return li;
    }
    function show(li, job) {
      li.className = "job job--" + job.status;
      li.setAttribute("data-job", job.id);
      li.setAttribute("data-status", job.status);
      var text = LABELS[job.status] || job.status;
      if (job.status === "queued" && job.position) text += "（前面還有 " + job.position + " 個）";
      if (job.reason) text += "：" + job.reason;
      li.querySelector(".job__status").textContent = text;
      var bar = li.querySelector("progress");
      if (job.done) {
        if (bar) bar.remove();
        if (job.doc_id && !li.querySelector("a")) {
          var a = document.createElement("a");
          a.className = "job__link";
          a.href = "/d/" + encodeURIComponent(job.doc_id);
          a.textContent = "開啟文件" + (job.version ? "（第 " + job.version + " 版）" : "");
          li.appendChild(a);
        }
      } else if (bar && job.status === "working") {
        bar.removeAttribute("value"); /* indeterminate while the archive works */
      }
    }
    function poll(li, id) {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", statusUrl + "?job=" + encodeURIComponent(id));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        var job = null;
        try { job = JSON.parse(xhr.responseText).jobs[0]; } catch (e) { job = null; }
        if (!job) { li.querySelector(".job__status").textContent = "無法取得進度"; return; }
        show(li, job);
        if (!job.done) window.setTimeout(function () { poll(li, id); }, 600);
      };
      xhr.onerror = function () { window.setTimeout(function () { poll(li, id); }, 2000); };
      xhr.send();
    }
    function fail(li, message) {
      li.className = "job job--failed";
      li.setAttribute("data-status", "failed");
      var bar = li.querySelector("progress");
      if (bar) bar.remove();
      li.querySelector(".job__status").textContent = "失敗：" + message;
    }
    function send(file, done) {
      var li = row(file.name);
      if (maxBytes && file.size > maxBytes) { fail(li, "檔案太大"); done(); return; }
      var fd = new FormData();
      ["csrf_token", "replaces", "password"].forEach(function (name) {
        var input = form.elements.namedItem(name);
        if (input && input.value) fd.append(name, input.value);
      });
      fd.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("Accept", "application/json");
      var bar = li.querySelector("progress");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable && bar) bar.value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 202 && data && data.jobs && data.jobs[0]) {
          show(li, data.jobs[0]);
          if (!data.jobs[0].done) poll(li, data.jobs[0].id);
        } else {
          fail(li, (data && data.error && data.error.message) || ("HTTP " + xhr.status));
        }
        done();
      };
      xhr.onerror = function () { fail(li, "網路錯誤"); done(); };
      xhr.send(fd);
    }
    form.addEventListener("submit", function (ev) {
      var input = form.elements.namedItem("files");
      if (!input || !input.files || !input.files.length) return;
      ev.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      var i = 0;
      (function next() { if (i < files.length) send(files[i++], next); else form.reset(); })();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initDocument();
    initUpload();
  });
})();
