// Progressive enhancement for the meeting form: check each vote's arithmetic as it is typed.
// The server checks the same again; without this script the form works all the same.
(function () {
  "use strict";
  function number(input) {
    var value = input && input.value.trim();
    return value === "" || value === undefined ? null : Number(value);
  }
  function check(box) {
    var prefix = box.getAttribute("data-prefix");
    var get = function (name) { return document.getElementById(prefix + "." + name); };
    var yes = number(get("for")), no = number(get("against")), abstain = number(get("abstain"));
    var eligible = number(get("eligible")), threshold = Number(get("threshold").value || 0.5);
    var out = box.querySelector(".vote-check");
    if (yes === null && no === null && abstain === null && eligible === null) {
      out.textContent = ""; out.classList.remove("bad"); return;
    }
    var cast = (yes || 0) + (no || 0) + (abstain || 0);
    if (!eligible || eligible < 1) {
      out.textContent = "请填写有表决权人数。"; out.classList.add("bad"); return;
    }
    if (cast > eligible) {
      out.textContent = "赞成 + 反对 + 弃权 = " + cast + ",多于有表决权的 " + eligible + " 人。";
      out.classList.add("bad"); return;
    }
    var passed = (yes || 0) >= threshold * eligible;
    out.textContent = "已投 " + cast + " / " + eligible + " 票,赞成占 " +
      Math.round((yes || 0) * 1000 / eligible) / 10 + "%:" + (passed ? "通过" : "未通过");
    out.classList.remove("bad");
  }
  document.querySelectorAll("fieldset.vote").forEach(function (box) {
    box.addEventListener("input", function () { check(box); });
    box.addEventListener("change", function () { check(box); });
    check(box);
  });
})();
