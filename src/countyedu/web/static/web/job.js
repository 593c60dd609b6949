// A background job's progress (#job, data-url: its status as JSON; data-reload: the page to show when
// done) and a file still being checked (#checking, data-reload-after: milliseconds).
(function () {
  var box = document.getElementById("job");
  if (box) {
    var poll = function () {
      fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (j) {
        document.getElementById("job-bar").style.width = Math.round(j.progress * 100) + "%";
        document.getElementById("job-status").textContent = j.status_label;
        document.getElementById("job-message").textContent = j.message;
        if (!j.finished) { setTimeout(poll, 1000); }
        else if (box.dataset.reload) { window.location.replace(box.dataset.reload); }  // show the check's result
      });
    };
    poll();
  }
  var checking = document.getElementById("checking");
  if (checking && checking.dataset.reloadAfter) {
    setTimeout(function () { window.location.reload(); }, Number(checking.dataset.reloadAfter));
  }
})();
