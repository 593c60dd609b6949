// The online submission form: "Add a row" copies the sheet's row template with a fresh index;
// ticking "Remove" greys the row out (it is left out when saved). Without JavaScript the existing
// rows, the blank row and the Remove boxes work the same.
(function () {
  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var sheet = button.dataset.sheet;
      var index = parseInt(button.dataset.next, 10);
      button.dataset.next = String(index + 1);
      var html = document.getElementById("tpl-" + sheet).innerHTML.split("__i__").join(String(index));
      var body = document.getElementById("rows-" + sheet);
      body.insertAdjacentHTML("beforeend", html);
      var first = body.lastElementChild.querySelector("input, select");
      if (first) { first.focus(); }
    });
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.classList && box.classList.contains("remove-row")) {
      box.closest("tr").classList.toggle("removed", box.checked);
    }
  });
})();
