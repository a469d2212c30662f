// Bulk action bar: show only the choice the selected action needs (owner, status or file format).
document.querySelectorAll("form.bulk").forEach((form) => {
  const action = form.querySelector("[data-bulk-action]");
  const sync = () => {
    form.querySelectorAll("[data-bulk-for]").forEach((label) => {
      label.hidden = label.dataset.bulkFor !== action.value;
    });
  };
  action.addEventListener("change", sync);
  sync();
});
