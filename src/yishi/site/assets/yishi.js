/* Progressive enhancement only: every page works without this script. */
(function () {
  "use strict";

  /* ---- Instant filtering of the issue list (all issues, from assets/issues.json). ---- */
  function setupFilter(form) {
    var table = document.querySelector("table.yi-issues");
    if (!table) return;
    var body = table.tBodies[0];
    var pager = document.querySelector(".yi-pager");
    var count = form.querySelector(".yi-filter-count");
    var root = form.getAttribute("data-root");
    var data = null;
    var loaded = {};
    var LIMIT = 200;
    form.hidden = false;

    // One community's rows when a community is chosen, every issue otherwise.
    function load() {
      var community = form.elements.community.value;
      var url = community ? root + "assets/issues/" + community + ".json" : form.getAttribute("data-source");
      if (!loaded[url]) {
        loaded[url] = fetch(url).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        });
      }
      return loaded[url].then(function (json) { data = json; return json; });
    }

    function cell(row, content) {
      var td = document.createElement("td");
      if (content) td.appendChild(content);
      row.appendChild(td);
      return td;
    }

    function text(value) { return document.createTextNode(value); }

    function badge(status) {
      var span = document.createElement("span");
      span.className = "yi-badge yi-stage-" + data.stage[status];
      span.setAttribute("data-status", status);
      span.textContent = data.status[status];
      return span;
    }

    function render() {
      var want = {
        community: form.elements.community.value,
        category: form.elements.category.value,
        status: form.elements.status.value
      };
      var q = form.elements.q.value.trim().toLowerCase();
      var matches = data.rows.filter(function (r) {
        return (!want.status || r[2] === want.status) &&
          (!want.community || r[3] === want.community) &&
          (!want.category || r[4] === want.category) &&
          (!q || r[1].toLowerCase().indexOf(q) >= 0 || r[0].indexOf(q) >= 0);
      });
      while (body.firstChild) body.removeChild(body.firstChild);
      matches.slice(0, LIMIT).forEach(function (r) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-id", r[0]);
        tr.setAttribute("data-status", r[2]);
        tr.setAttribute("data-community", r[3]);
        tr.setAttribute("data-category", r[4]);
        var a = document.createElement("a");
        a.href = root + "issues/" + r[0] + "/";
        a.textContent = r[1];
        var td = cell(tr, a);
        td.appendChild(document.createElement("br"));
        var small = document.createElement("small");
        small.className = "yi-id";
        small.textContent = r[0];
        td.appendChild(small);
        cell(tr, badge(r[2]));
        cell(tr, text(data.community[r[3]] || r[3]));
        cell(tr, text(data.category[r[4]] || r[4]));
        cell(tr, text(r[5]));
        cell(tr, text(r[6]));
        body.appendChild(tr);
      });
      if (!matches.length) {
        var tr = document.createElement("tr");
        tr.className = "yi-empty";
        var td = cell(tr, text("没有符合条件的提案。"));
        td.colSpan = 6;
        body.appendChild(tr);
      }
      if (pager) pager.hidden = true;
      count.textContent = "共 " + matches.length + " 项" +
        (matches.length > LIMIT ? ",显示前 " + LIMIT + " 项" : "");
    }

    var latest = 0;
    function update() {
      var ticket = ++latest;
      // Only the answer to the latest change is shown, whatever order the fetches finish in.
      load().then(function () { if (ticket === latest) render(); }).catch(function () {
        count.textContent = "筛选暂不可用,请使用上方的分类链接。";
      });
    }

    form.addEventListener("change", update);
    form.addEventListener("input", function (e) { if (e.target.name === "q") update(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
  }

  /* ---- The proposal form: token, submission with fetch, receipt or errors. ---- */
  function setupSubmit(form) {
    var status = document.getElementById("form-status");
    var receipt = document.getElementById("receipt");
    var photo = form.elements.photo;

    function getToken() {
      return fetch(form.getAttribute("data-token-url"), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (json) { form.elements.token.value = json.token || ""; })
        .catch(function () {
          status.textContent = "暂时连不上提交服务,请稍后刷新页面再试。";
        });
    }

    function clearErrors() {
      Array.prototype.forEach.call(form.querySelectorAll(".yi-error"), function (p) {
        p.hidden = true;
        p.textContent = "";
      });
    }

    function showErrors(errors) {
      var first = null;
      Object.keys(errors).forEach(function (field) {
        var p = document.getElementById("e-" + field);
        if (!p) { status.textContent = errors[field]; return; }
        p.textContent = errors[field];
        p.hidden = false;
        first = first || form.elements[field];
      });
      if (first && first.focus) first.focus();
    }

    getToken();
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors();
      var max = parseInt(photo.getAttribute("data-max"), 10);
      if (photo.files && photo.files.length > max) {
        showErrors({photo: "最多上传 " + max + " 张照片。"});
        return;
      }
      status.textContent = "正在提交……";
      fetch(form.action, {method: "POST", body: new FormData(form), headers: {Accept: "application/json"}})
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (json) {
            var errors = json.errors || {};
            if (r.ok) {
              status.textContent = "";
              receipt.textContent = "提交成功!您的受理编号是 " + (json.id || "") +
                "。请记下这个编号,议事会将按编号公布办理进度。";
              if (json.receipt_url) {
                var link = document.createElement("a");
                link.href = json.receipt_url;
                link.textContent = "查看回执";
                receipt.appendChild(document.createTextNode(" "));
                receipt.appendChild(link);
              }
              receipt.hidden = false;
              form.reset();
              getToken();
            } else if (r.status === 422) {
              status.textContent = "请按提示修改后再提交。";
              showErrors(errors);
              if (errors.token) getToken();
            } else if (r.status === 429) {
              var wait = parseInt(r.headers.get("Retry-After") || "60", 10);
              status.textContent = errors.form || ("提交太频繁了,请 " + wait + " 秒后再试。");
            } else {
              status.textContent = errors.form || "提交没有成功,请稍后再试。";
              getToken();
            }
          });
        })
        .catch(function () {
          status.textContent = "网络连接失败,请检查网络后再试。";
        });
    });
  }

  /* ---- /track/: a receipt number's status and steps, from the intake service. ---- */
  function setupTrack(form) {
    var result = document.getElementById("track-result");
    var status = document.getElementById("track-status");
    var timeline = document.getElementById("track-timeline");
    var link = document.getElementById("track-link");

    function show(text) {
      status.textContent = text;
      while (timeline.firstChild) timeline.removeChild(timeline.firstChild);
      timeline.hidden = true;
      link.hidden = true;
      result.hidden = false;
    }

    form.addEventListener("submit", function (e) {
      var id = form.elements.id.value.trim().toLowerCase();
      if (!/^\d{4}-\d{4}-[a-z0-9]{2,24}$/.test(id)) {
        e.preventDefault();
        show("没有找到这个受理编号,请核对后再查(形如 2024-0312-k7qm)。");
        return;
      }
      e.preventDefault();
      show("正在查询……");
      fetch(form.getAttribute("data-api") + encodeURIComponent(id), {headers: {Accept: "application/json"}})
        .then(function (r) {
          if (r.status === 404) { show("没有找到这个受理编号,请核对后再查。"); return null; }
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (json) {
          if (!json) return;
          show("受理编号 " + json.id + ":" + (json.issue_label || json.label));
          (json.timeline || []).forEach(function (step) {
            var li = document.createElement("li");
            li.textContent = step.date + " " + step.label + (step.note ? ":" + step.note : "");
            timeline.appendChild(li);
          });
          timeline.hidden = !(json.timeline && json.timeline.length);
          if (json.status === "published") {
            link.firstChild.href = json.public_url || (form.getAttribute("data-root") + "issues/" + json.id + "/");
            link.hidden = false;
          }
        })
        .catch(function () {
          show("暂时连不上查询服务,请稍后再试。");
        });
    });
  }

  function ready() {
    var filter = document.querySelector("form.yi-filter");
    if (filter) setupFilter(filter);
    var proposal = document.getElementById("proposal-form");
    if (proposal) setupSubmit(proposal);
    var track = document.getElementById("track-form");
    if (track) setupTrack(track);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
