/* Shows rescoring progress on the ICP page until the job is done. */
(function () {
  "use strict";
  const box = document.getElementById("rescore");
  if (!box || box.dataset.status !== "running") return;
  const timer = setInterval(async () => {
    try {
      const response = await fetch(box.dataset.url, { credentials: "same-origin" });
      if (!response.ok) return;
      const { job, status, done, total, percent } = await response.json();
      if (!job) return;
      document.getElementById("rescore-bar").value = percent;
      document.getElementById("rescore-text").textContent = `${status} · ${done} / ${total} leads`;
      box.dataset.status = status;
      if (status !== "running") clearInterval(timer);
    } catch (error) { /* offline: try again */ }
  }, 2000);
})();
