// Cashier lookup: keep the search box ready for the next scan (selected, so it is replaced).
(function () {
  var input = document.getElementById("lookup-q");
  if (!input) { return; }
  input.focus();
  input.select();
})();
