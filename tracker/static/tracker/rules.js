/* Follow-up rules: each rule shows only the fields its condition uses (a region for a region rule, ...);
 * an existing account owner's rule needs no one named. Without this script every field shows. */
(function () {
  "use strict";
  const uses = {
    account_owner: [], region: ["region", "assignee"], conversation: ["conversation", "assignee"],
    rating: ["rating", "assignee"], anyone: ["assignee"], "": [],
  };
  document.querySelectorAll("#rules-form select[name$='-condition']").forEach((select) => {
    const row = select.closest("tr");
    const sync = () => {
      const shown = uses[select.value] || [];
      row.querySelectorAll("td[data-for]").forEach((cell) => {
        cell.classList.toggle("not-used", !shown.includes(cell.dataset.for));
      });
    };
    select.addEventListener("change", sync);
    sync();
  });
})();
