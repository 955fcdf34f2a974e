// Predict mode: hide each expected value of a test's code behind a blank; a click (or Enter)
// reveals one, "Reveal all" reveals the page. The choice persists across pages. No requests.
(function () {
  var KEY = "torchref-predict";
  var on = function () { return localStorage.getItem(KEY) === "on"; };

  function codeBefore(marker) {
    var node = marker.previousElementSibling;
    return node ? node.querySelector("pre code") : null;
  }

  function blankOut(marker) {
    var code = codeBefore(marker);
    if (!code || code.dataset.trOriginal) return;
    var text = code.textContent;
    var spans = JSON.parse(marker.dataset.blanks);
    code.dataset.trOriginal = code.innerHTML;
    code.textContent = "";
    var at = 0;
    spans.forEach(function (span, i) {
      code.appendChild(document.createTextNode(text.slice(at, span[0])));
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tr-blank";
      button.textContent = "___";
      button.dataset.answer = text.slice(span[0], span[1]);
      button.setAttribute("aria-label", "blank " + (i + 1) + ": reveal the expected value");
      button.addEventListener("click", function () { reveal(button); });
      code.appendChild(button);
      at = span[1];
    });
    code.appendChild(document.createTextNode(text.slice(at)));
  }

  function reveal(button) {
    var shown = document.createElement("span");
    shown.className = "tr-revealed";
    shown.textContent = button.dataset.answer;
    button.replaceWith(shown);
  }

  function restore(marker) {
    var code = codeBefore(marker);
    if (code && code.dataset.trOriginal) {
      code.innerHTML = code.dataset.trOriginal;
      delete code.dataset.trOriginal;
    }
  }

  function apply(markers, toggle) {
    markers.forEach(on() ? blankOut : restore);
    toggle.setAttribute("aria-pressed", on() ? "true" : "false");
    toggle.textContent = on() ? "Predict mode: on" : "Predict mode: off";
  }

  function setUp() {
    var markers = Array.prototype.slice.call(document.querySelectorAll(".tr-predict"));
    var title = document.querySelector(".md-content h1");
    if (!markers.length || !title || document.querySelector(".tr-predict-bar")) return;
    var bar = document.createElement("div");
    bar.className = "tr-predict-bar";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "md-button tr-predict-toggle";
    var all = document.createElement("button");
    all.type = "button";
    all.className = "md-button tr-reveal-all";
    all.textContent = "Reveal all";
    toggle.addEventListener("click", function () {
      localStorage.setItem(KEY, on() ? "off" : "on");
      apply(markers, toggle);
    });
    all.addEventListener("click", function () {
      document.querySelectorAll("button.tr-blank").forEach(reveal);
    });
    bar.appendChild(toggle);
    bar.appendChild(all);
    title.insertAdjacentElement("afterend", bar);
    apply(markers, toggle);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
