/**
 * The page's script, plain JavaScript run as it is (no framework, no build step): it reads the
 * event stream, fills the figures table, draws the Timeline four times a second, lists the
 * watched task managers' tasks and sends the actions. Written without template literals, so that
 * it can live in a TypeScript template string.
 *
 * @internal
 */
export const pageScript = String.raw`
const params = new URLSearchParams(location.search)
const token = params.get("token")
const query = (extra) => {
  const p = new URLSearchParams(extra)
  if (token) p.set("token", token)
  return p.toString()
}
const $ = (id) => document.getElementById(id)
const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c])
const ms = (value) => value === undefined || value === null ? "–"
  : value < 1 ? value.toFixed(2) + " ms" : value < 1000 ? Math.round(value) + " ms" : (value / 1000).toFixed(1) + " s"
const times = (p) => p.count === 0 ? "–" : ms(p.p50) + " / " + ms(p.p95) + " / " + ms(p.p99)

let latest = undefined
let receivedAt = 0
let records = []
let spanMillis = 30000
let paused = false
const spans = [5000, 10000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000]
const selected = {}
const found = {}

// ---- figures
const cell = (label, value, numeric) =>
  "<td data-label=\"" + esc(label) + "\"" + (numeric ? " class=\"num\"" : "") + ">" + value + "</td>"
const renderInstances = (instances) => {
  $("instances-empty").hidden = instances.length > 0
  $("instances").hidden = instances.length === 0
  $("instances").tBodies[0].innerHTML = instances.map((i) => {
    const bar = i.limit > 0 ? "<span class=\"bar\" aria-hidden=\"true\"><span style=\"width:" +
      Math.min(100, Math.round(100 * i.running / i.limit)) + "%\"></span></span>" : ""
    return "<tr class=\"" + (i.task === undefined ? "instance-row" : "task-row") + "\" data-source=\"" + esc(i.source) +
      "\" data-group=\"" + esc(i.group) + "\"" + (i.task === undefined ? "" : " data-task=\"" + esc(i.task) + "\"") + ">" +
      cell("Kind", esc(i.task === undefined ? i.source : "task")) +
      cell("Name", esc(i.task === undefined ? i.group : i.task)) +
      cell("Running", "<span class=\"running\">" + i.running + "</span>" + bar, true) +
      cell("Waiting", "<span class=\"pending\">" + i.pending + "</span>", true) +
      cell("Limit", i.limit === undefined ? "–" : i.limit, true) +
      cell("Wait p50 / p95 / p99", times(i.waitTime), true) +
      cell("Run p50 / p95 / p99", times(i.runTime), true) +
      cell("Succeeded", "<span class=\"succeeded\">" + i.outcomes.succeeded + "</span>", true) +
      cell("Failed", i.outcomes.failed, true) +
      cell("Interrupted", i.outcomes.interrupted, true) +
      cell("Refused", i.outcomes.rejected + i.outcomes.dropped, true) + "</tr>"
  }).join("")
}

// ---- timeline
const spanLabel = (m) => m < 60000 ? m / 1000 + " s" : m / 60000 + " min"
const fillSpans = () => {
  const limit = latest ? latest.windowMillis : 60000
  const options = spans.filter((s) => s <= limit)
  if (options.length === 0 || options[options.length - 1] !== limit) options.push(limit)
  if (spanMillis > limit) spanMillis = limit
  $("span").innerHTML = options.map((s) => "<option value=\"" + s + "\"" + (s === spanMillis ? " selected" : "") + ">" +
    spanLabel(s) + "</option>").join("")
}
const zoom = (step) => {
  const options = Array.from($("span").options).map((o) => Number(o.value))
  const at = Math.max(0, options.indexOf(spanMillis))
  spanMillis = options[Math.min(options.length - 1, Math.max(0, at + step))]
  fillSpans()
  drawTimeline()
}
const serverNow = () => latest ? latest.now + (paused ? 0 : performance.now() - receivedAt) : 0
const drawTimeline = () => {
  if (!latest) return
  const now = serverNow()
  const start = now - spanMillis
  const shown = records.filter((r) => r.endedAt >= start)
  const rows = new Map()
  for (const r of shown) {
    const key = r.source + " " + r.group + (r.lane === undefined ? "" : " · " + r.lane)
    let lanes = rows.get(key)
    if (!lanes) rows.set(key, lanes = [])
    let lane = lanes.find((l) => l.end <= r.queuedAt)
    if (!lane) lanes.push(lane = { end: -Infinity, items: [] })
    lane.end = r.endedAt
    lane.items.push(r)
  }
  const labelWidth = 170
  const width = Math.max(320, $("timeline").clientWidth || 800)
  const plot = width - labelWidth - 10
  const rowHeight = 16
  const keys = Array.from(rows.keys()).sort()
  const total = keys.reduce((n, k) => n + rows.get(k).length, 0)
  const height = 24 + Math.max(1, total) * rowHeight
  const x = (t) => labelWidth + Math.max(0, Math.min(plot, (t - start) / spanMillis * plot))
  let svg = "<svg viewBox=\"0 0 " + width + " " + height + "\" height=\"" + height + "\" role=\"img\" aria-label=\"" +
    shown.length + " tasks ended in the last " + spanLabel(spanMillis) + "\">"
  for (let i = 0; i <= 4; i++) {
    const t = start + spanMillis * i / 4
    svg += "<line x1=\"" + x(t) + "\" x2=\"" + x(t) + "\" y1=\"0\" y2=\"" + height + "\"></line><text x=\"" + (x(t) - (i === 4 ? 40 : 0)) +
      "\" y=\"" + (height - 6) + "\">" + (i === 4 ? "now" : "−" + spanLabel(spanMillis - spanMillis * i / 4)) + "</text>"
  }
  let y = 4
  for (const key of keys) {
    svg += "<text x=\"4\" y=\"" + (y + 11) + "\">" + esc(key.length > 28 ? key.slice(0, 27) + "…" : key) + "</text>"
    for (const lane of rows.get(key)) {
      for (const r of lane.items) {
        const wait = x(r.startedAt) - x(r.queuedAt)
        if (wait >= 1) svg += "<rect class=\"wait\" x=\"" + x(r.queuedAt) + "\" y=\"" + (y + 5) + "\" width=\"" + wait + "\" height=\"4\"></rect>"
        svg += "<rect class=\"" + r.outcome + "\" x=\"" + x(r.startedAt) + "\" y=\"" + (y + 1) + "\" width=\"" +
          Math.max(1, x(r.endedAt) - x(r.startedAt)) + "\" height=\"12\"><title>" + esc(r.label) + ": " + r.outcome +
          ", waited " + ms(r.startedAt - r.queuedAt) + ", ran " + ms(r.endedAt - r.startedAt) + "</title></rect>"
      }
      y += rowHeight
    }
  }
  $("timeline").innerHTML = svg + "</svg>"
}

// ---- tasks
const states = ["queued", "running", "failed", "cancelled", "succeeded"]
const say = (text) => { $("action-status").textContent = text }
const act = async (path, manager, id) => {
  const extra = { manager }
  if (id !== undefined) extra.id = id
  try {
    const response = await fetch("/api/" + path + "?" + query(extra), { method: "POST", headers: { "x-fiberkit-dashboard": "1" } })
    const body = await response.json()
    if (!response.ok) return say("Refused (" + response.status + "): " + body.error)
    if (path === "retry-failed") say(body.count + " failed task" + (body.count === 1 ? "" : "s") + " of " + manager + " went back to the queue")
    else if (path === "cancel") say(body.done ? "Cancelled " + id : id + " had already ended: nothing to cancel")
    else say(body.done ? id + " went back to the queue" : id + " is not failed: nothing to retry")
  } catch (error) {
    say("The action could not be sent: " + error)
  }
}
const taskRow = (task, write) => {
  const actions = !write ? "" : task.state === "queued" || task.state === "running"
    ? "<button type=\"button\" data-action=\"cancel\" data-id=\"" + esc(task.id) + "\" aria-label=\"Cancel task " + esc(task.id) + "\">Cancel</button>"
    : task.state === "failed"
    ? "<button type=\"button\" data-action=\"retry\" data-id=\"" + esc(task.id) + "\" aria-label=\"Retry task " + esc(task.id) + "\">Retry</button>"
    : ""
  return "<tr data-task-id=\"" + esc(task.id) + "\" data-state=\"" + task.state + "\">" + cell("Id", esc(task.id)) + cell("Task", esc(task.name)) +
    cell("State", "<span class=\"state-" + task.state + "\">" + task.state + "</span>") + cell("Attempts", task.attempts, true) +
    cell("Last error", task.error ? "<span class=\"error\">" + esc(task.error) + "</span>" : "") +
    (write ? cell("Actions", actions) : "") + "</tr>"
}
const taskTable = (tasks, write) => tasks.length === 0 ? "<p class=\"hint\">No task in this state.</p>"
  : "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Task</th><th scope=\"col\">State</th>" +
    "<th scope=\"col\">Attempts</th><th scope=\"col\">Last error</th>" + (write ? "<th scope=\"col\">Actions</th>" : "") +
    "</tr></thead><tbody>" + tasks.map((t) => taskRow(t, write)).join("") + "</tbody></table></div>"
const renderManagers = (managers, write) => {
  $("tasks-empty").hidden = managers.length > 0
  const root = $("managers")
  for (const m of managers) {
    let box = root.querySelector("[data-manager=\"" + CSS.escape(m.name) + "\"]")
    if (!box) {
      box = document.createElement("div")
      box.className = "manager"
      box.dataset.manager = m.name
      const id = "find-" + Math.random().toString(36).slice(2)
      box.innerHTML = "<h3>" + esc(m.name) + "</h3><div class=\"states\" role=\"group\" aria-label=\"Tasks of " + esc(m.name) +
        " by state\"></div><form class=\"find\" role=\"search\"><label for=\"" + id + "\">Find a task by id</label><input id=\"" + id +
        "\" type=\"search\" name=\"id\" autocomplete=\"off\"><button type=\"submit\">Find</button>" +
        (write ? "<button type=\"button\" data-action=\"retry-failed\">Retry all failed</button>" : "") +
        "</form><div class=\"found\"></div><p class=\"error store-error\"></p><div class=\"list\"></div>"
      box.querySelector("form").addEventListener("submit", async (event) => {
        event.preventDefault()
        const id = box.querySelector("input").value.trim()
        if (id === "") { found[m.name] = undefined; return renderManagers(latest.taskManagers, latest.write) }
        const response = await fetch("/api/task?" + query({ manager: m.name, id }))
        const body = await response.json()
        found[m.name] = response.ok ? { task: body } : { missing: id, error: body.error }
        renderManagers(latest.taskManagers, latest.write)
      })
      box.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-action], button[data-state]")
        if (!button) return
        if (button.dataset.state) { selected[m.name] = button.dataset.state; return renderManagers(latest.taskManagers, latest.write) }
        act(button.dataset.action, m.name, button.dataset.id)
      })
      root.appendChild(box)
    }
    const state = selected[m.name] || "queued"
    const counts = {}
    for (const s of states) counts[s] = 0
    for (const t of m.tasks) counts[t.state]++
    const stateButtons = states.map((s) => "<button type=\"button\" data-state=\"" + s + "\" aria-pressed=\"" + (s === state) + "\">" + s +
      " <span class=\"count\">" + counts[s] + (m.more.includes(s) ? "+" : "") + "</span></button>").join("")
    const statesBox = box.querySelector(".states")
    if (statesBox.innerHTML !== stateButtons) statesBox.innerHTML = stateButtons
    const hit = found[m.name]
    box.querySelector(".found").innerHTML = !hit ? "" : hit.task ? taskTable([hit.task], write)
      : "<p class=\"error\">" + esc(hit.missing) + ": " + esc(hit.error) + "</p>"
    box.querySelector(".store-error").textContent = m.error ? "Its store failed: " + m.error : ""
    box.querySelector(".list").innerHTML = taskTable(m.tasks.filter((t) => t.state === state), write)
  }
  for (const box of Array.from(root.children)) {
    if (!managers.some((m) => m.name === box.dataset.manager)) box.remove()
  }
}

// ---- the stream
const connect = () => {
  const events = new EventSource("/events?" + query({ from: 0 }))
  events.addEventListener("open", () => {
    records = []
    $("connection").textContent = "Live"
  })
  events.addEventListener("error", () => { $("connection").textContent = "Reconnecting…" })
  events.addEventListener("message", (event) => {
    const snapshot = JSON.parse(event.data)
    const first = !latest
    latest = snapshot
    receivedAt = performance.now()
    records = records.concat(snapshot.records).filter((r) => r.endedAt >= snapshot.now - snapshot.windowMillis)
    if (first) {
      fillSpans()
      $("mode").textContent = snapshot.write ? "Actions allowed" : "Read only"
    }
    renderInstances(snapshot.instances)
    // a re-drawn button keeps the keyboard focus: found again by what it does
    const active = document.activeElement
    const box = active && active.tagName === "BUTTON" && active.closest(".manager")
    const again = box ? "button" + (active.dataset.state ? "[data-state=\"" + active.dataset.state + "\"]"
      : "[data-action=\"" + active.dataset.action + "\"]" + (active.dataset.id ? "[data-id=\"" + CSS.escape(active.dataset.id) + "\"]" : "")) : ""
    renderManagers(snapshot.taskManagers, snapshot.write)
    if (box && !box.contains(document.activeElement)) box.querySelector(again)?.focus()
    if (!paused) drawTimeline()
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1)
  })
}

$("zoom-in").addEventListener("click", () => zoom(-1))
$("zoom-out").addEventListener("click", () => zoom(1))
$("span").addEventListener("change", (event) => { spanMillis = Number(event.target.value); drawTimeline() })
$("pause").addEventListener("click", (event) => {
  paused = !paused
  event.target.setAttribute("aria-pressed", String(paused))
  event.target.textContent = paused ? "Resume" : "Pause"
  drawTimeline()
})
setInterval(() => { if (!paused) drawTimeline() }, 250)
connect()
`
