// The compatibility matrix's filters: a topic <select> and an "only what changed" checkbox.
// Plain DOM, no outside requests; the controls stay hidden where scripts do not run.
(function () {
  "use strict";

  function setUp() {
    var table = document.querySelector("table.tr-matrix");
    var controls = document.querySelector(".tr-matrix-controls");
    if (!table || !controls || controls.dataset.ready) return;
    controls.dataset.ready = "1";
    var topic = controls.querySelector(".tr-topic-filter");
    var changed = controls.querySelector(".tr-changed-filter");
    var count = controls.querySelector(".tr-count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var total = rows.filter(function (r) { return r.classList.contains("tr-row"); }).length;

    // ?topic=autograd&changed=1 in the address selects those filters (a link can point to them).
    var query = new URLSearchParams(window.location.search);
    if (query.get("topic")) topic.value = query.get("topic");
    changed.checked = query.get("changed") === "1";

    function apply() {
      var shown = 0;
      var pageHas = false;
      var topicHas = false;
      // Walk upwards so that each page and topic heading knows whether a row below it is shown.
      for (var i = rows.length - 1; i >= 0; i--) {
        var row = rows[i];
        if (row.classList.contains("tr-row")) {
          var show = (!topic.value || row.dataset.topic === topic.value) && (!changed.checked || row.dataset.changed === "1");
          row.hidden = !show;
          if (show) { shown++; pageHas = true; topicHas = true; }
        } else if (row.classList.contains("tr-page-row")) {
          row.hidden = !pageHas;
          pageHas = false;
        } else if (row.classList.contains("tr-topic-row")) {
          row.hidden = !topicHas;
          topicHas = false;
        }
      }
      count.textContent = shown + " of " + total + " behaviours shown";
      var params = new URLSearchParams();
      if (topic.value) params.set("topic", topic.value);
      if (changed.checked) params.set("changed", "1");
      var search = params.toString();
      if (window.location.protocol !== "file:") {
        history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
      }
    }

    topic.addEventListener("change", apply);
    changed.addEventListener("change", apply);
    controls.hidden = false;
    apply();
  }

  // With Material's instant navigation the page changes without a load event: document$ says when.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
