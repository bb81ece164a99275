const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

/**
 * The page: its skeleton only — the script (`/dashboard.js`) fills it from the event stream. No
 * inline script or style, so that the Content-Security-Policy can allow the page's own files only.
 *
 * @internal
 */
export const pageHtml = (title: string, token: string | undefined): string => {
  // the page's own files carry the token the page was opened with (the page is shown only to its holders)
  const query = token === undefined ? "" : `?token=${escapeHtml(encodeURIComponent(token))}`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css${query}">
<script type="module" src="/dashboard.js${query}"></script>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <p id="connection" role="status" aria-live="polite">Connecting…</p>
  <p id="mode"></p>
</header>
<main>
  <section aria-labelledby="instances-title">
    <h2 id="instances-title">Pools, limiters, queues and task managers</h2>
    <p class="hint" id="instances-empty">Nothing yet: pools, limiters, queues and task managers made under the dashboard's layer appear here.</p>
    <div class="scroll">
      <table id="instances" class="cards">
        <caption class="visually-hidden">Live figures of every instance; times are milliseconds, percentiles are bucket bounds</caption>
        <thead><tr>
          <th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Running</th><th scope="col">Waiting</th>
          <th scope="col">Limit</th><th scope="col">Wait p50 / p95 / p99</th><th scope="col">Run p50 / p95 / p99</th>
          <th scope="col">Succeeded</th><th scope="col">Failed</th><th scope="col">Interrupted</th><th scope="col">Refused</th>
        </tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>
  <section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline</h2>
    <div class="controls" role="group" aria-label="Timeline controls">
      <button type="button" id="zoom-in" aria-label="Zoom in: show a shorter span">+</button>
      <button type="button" id="zoom-out" aria-label="Zoom out: show a longer span">−</button>
      <label for="span">Span</label> <select id="span"></select>
      <button type="button" id="pause" aria-pressed="false">Pause</button>
      <span class="legend"><span class="swatch success"></span>succeeded <span class="swatch failure"></span>failed <span class="swatch interrupted"></span>interrupted <span class="swatch wait"></span>waiting</span>
    </div>
    <div id="timeline" class="timeline"></div>
  </section>
  <section aria-labelledby="tasks-title" id="tasks-section">
    <h2 id="tasks-title">Tasks</h2>
    <p class="hint" id="tasks-empty">No task manager is watched: <code>Dashboard.watchTasks(name, manager)</code> shows one here.</p>
    <div id="managers"></div>
    <p id="action-status" role="status" aria-live="polite"></p>
  </section>
</main>
</body>
</html>
`
}
