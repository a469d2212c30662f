// An import's page: follow the dry run or the import until it is done, then show its report.
const POLL_MS = 1000;
const section = document.querySelector("[data-import-progress]");

async function tick() {
  let data;
  try {
    const response = await fetch(section.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    data = await response.json();
  } catch (error) {
    setTimeout(tick, POLL_MS * 3);
    return;
  }
  if (!data.busy) {
    window.location.reload();
    return;
  }
  const bar = section.querySelector("progress");
  if (data.total) {
    bar.max = data.total;
    bar.value = data.done;
  }
  section.querySelector("[data-progress-label]").textContent =
    `${data.done.toLocaleString()} rows` + (data.total ? ` of ${data.total.toLocaleString()}` : "");
  setTimeout(tick, POLL_MS);
}

if (section) tick();
