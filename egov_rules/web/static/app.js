// Progressive enhancement only: every page works without this file.
document.addEventListener("click", function (event) {
  if (event.target && event.target.id === "print") { window.print(); }
});
