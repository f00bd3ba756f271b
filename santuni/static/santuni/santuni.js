/* "Near me": ask the browser for the position, put it in the search form, submit. */
(function () {
  "use strict";
  function setup(root) {
    var button = root.querySelector("[data-near-me]");
    if (!button || !navigator.geolocation) return;
    var form = button.form;
    var status = form.querySelector(".near-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.finding;
      navigator.geolocation.getCurrentPosition(function (pos) {
        // ~1 km: enough to sort by, too coarse to give away a home in a shared link or a log.
        form.elements.lat.value = pos.coords.latitude.toFixed(2);
        form.elements.lng.value = pos.coords.longitude.toFixed(2);
        form.requestSubmit();
      }, function () {
        status.textContent = button.dataset.failed;
      }, {timeout: 15000, maximumAge: 300000});
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  document.addEventListener("htmx:afterSwap", function (e) { setup(e.target); });
})();
