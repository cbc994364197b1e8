/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Type-ahead for long choice lists: typing filters the options of the select it belongs to.
  document.querySelectorAll("input.chooser-filter").forEach(function (input) {
    var select = document.getElementById(input.dataset.filterFor);
    if (!select) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !needle || option.text.toLowerCase().indexOf(needle) !== -1 || option.selected;
        option.hidden = !match;
      });
    });
  });

  // Confirm irreversible actions (withdraw).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A form that failed comes back open: bring its first error into view.
  var firstError = document.querySelector(".invalid-feedback, [data-form-errors]");
  if (firstError && firstError.scrollIntoView) firstError.scrollIntoView({ block: "center" });
})();
