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
let pausedAt = 0
const spans = [5000, 10000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000]
// by manager name (Maps: a manager may be named "constructor")
const selected = new Map()
const found = new Map()
const refreshing = new Set()

// an element's content replaced only when it changed: no flicker, nothing lost under the pointer
const fill = (element, html) => {
  if (element.dataset.html !== html) {
    element.innerHTML = html
    element.dataset.html = html
  }
}

// ---- figures
const cell = (label, value, numeric) =>
  "<td data-label=\"" + esc(label) + "\"" + (numeric ? " class=\"num\"" : "") + ">" + value + "</td>"
const renderInstances = (instances) => {
  $("instances-empty").hidden = instances.length > 0
  $("instances").hidden = instances.length === 0
  fill($("instances").tBodies[0], instances.map((i) => {
    // how full it is: a meter (no inline style: the page's policy allows none)
    const bar = i.limit > 0 ? "<meter class=\"bar\" min=\"0\" max=\"" + i.limit + "\" value=\"" + Math.min(i.running, i.limit) +
      "\" aria-label=\"" + i.running + " of " + i.limit + " in use\"></meter>" : ""
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
  }).join(""))
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
const serverNow = () => paused ? pausedAt : latest ? latest.now + performance.now() - receivedAt : 0
// records by instance ("FiberPool thumbnails"), then by worker: a worker's tasks never overlap,
// one row each; tasks without a worker are packed into rows where each (its wait included) fits,
// at most 6 — the rest overlap in the last
const laneRows = (shown) => {
  const groups = new Map()
  for (const r of shown) {
    const key = r.source + " " + r.group
    let lanes = groups.get(key)
    if (!lanes) groups.set(key, lanes = new Map())
    const name = r.lane === undefined ? "" : r.lane
    let rows = lanes.get(name)
    if (!rows) lanes.set(name, rows = [])
    let row = r.lane === undefined ? rows.find((l) => l.end <= r.queuedAt) : rows[0]
    if (!row && rows.length < 6) rows.push(row = { end: -Infinity, items: [] })
    if (!row) row = rows[rows.length - 1]
    row.end = Math.max(row.end, r.endedAt)
    row.items.push(r)
  }
  return groups
}
const byName = (a, b) => a.localeCompare(b, undefined, { numeric: true })
const drawTimeline = () => {
  if (!latest) return
  const now = serverNow()
  const start = now - spanMillis
  const shown = records.filter((r) => r.endedAt >= start)
  const groups = laneRows(shown)
  const labelWidth = 130
  const width = Math.max(320, $("timeline").clientWidth || 800)
  const plot = width - labelWidth - 10
  const rowHeight = 16
  let total = 0
  for (const lanes of groups.values()) for (const rows of lanes.values()) total += rows.length
  const height = 24 + Math.max(1, total + groups.size) * rowHeight
  const x = (t) => labelWidth + Math.max(0, Math.min(plot, (t - start) / spanMillis * plot))
  const clip = (text, n) => esc(text.length > n ? text.slice(0, n - 1) + "…" : text)
  let svg = "<svg viewBox=\"0 0 " + width + " " + height + "\" height=\"" + height + "\" role=\"img\" aria-label=\"" +
    shown.length + " tasks ended in the last " + spanLabel(spanMillis) + "\">"
  const ticks = plot < 400 ? 2 : 4 // fewer labels on a narrow screen: they would overlap
  for (let i = 0; i <= ticks; i++) {
    const t = start + spanMillis * i / ticks
    svg += "<line x1=\"" + x(t) + "\" x2=\"" + x(t) + "\" y1=\"0\" y2=\"" + height + "\"></line><text x=\"" + (x(t) - (i === ticks ? 24 : 0)) +
      "\" y=\"" + (height - 6) + "\">" + (i === ticks ? "now" : "−" + spanLabel(spanMillis - spanMillis * i / ticks)) + "</text>"
  }
  let y = 4
  for (const key of Array.from(groups.keys()).sort(byName)) {
    svg += "<text class=\"group\" x=\"4\" y=\"" + (y + 11) + "\">" + clip(key, 40) + "</text>"
    y += rowHeight
    const lanes = groups.get(key)
    for (const name of Array.from(lanes.keys()).sort(byName)) {
      svg += "<text x=\"14\" y=\"" + (y + 11) + "\">" + clip(name, 18) + "</text>"
      for (const row of lanes.get(name)) {
        for (const r of row.items) {
          const wait = x(r.startedAt) - x(r.queuedAt)
          if (wait >= 1) svg += "<rect class=\"wait\" x=\"" + x(r.queuedAt) + "\" y=\"" + (y + 5) + "\" width=\"" + wait + "\" height=\"4\"></rect>"
          svg += "<rect class=\"" + r.outcome + "\" x=\"" + x(r.startedAt) + "\" y=\"" + (y + 1) + "\" width=\"" +
            Math.max(1, x(r.endedAt) - x(r.startedAt)) + "\" height=\"12\"><title>" + esc(r.label) + ": " + r.outcome +
            ", waited " + ms(r.startedAt - r.queuedAt) + ", ran " + ms(r.endedAt - r.startedAt) + "</title></rect>"
        }
        y += rowHeight
      }
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
    else if (path === "cancel") {
      say(body.done ? "Cancelled " + id
        : body.state === "queued" || body.state === "running"
        ? id + " is still " + body.state + ": its task manager did not cancel it (it is shut down)"
        : id + " had already ended: nothing to cancel")
    }
    else say(body.done ? id + " went back to the queue" : id + " is not failed: nothing to retry")
  } catch (error) {
    say("The action could not be sent: " + error)
  }
}
const taskCells = (task, write) => {
  const actions = !write ? "" : task.state === "queued" || task.state === "running"
    ? "<button type=\"button\" data-action=\"cancel\" data-id=\"" + esc(task.id) + "\" aria-label=\"Cancel task " + esc(task.id) + "\">Cancel</button>"
    : task.state === "failed"
    ? "<button type=\"button\" data-action=\"retry\" data-id=\"" + esc(task.id) + "\" aria-label=\"Retry task " + esc(task.id) + "\">Retry</button>"
    : ""
  return cell("Id", esc(task.id)) + cell("Task", esc(task.name)) +
    cell("State", "<span class=\"state-" + task.state + "\">" + task.state + "</span>") + cell("Attempts", task.attempts, true) +
    cell("Last error", task.error ? "<span class=\"error\">" + esc(task.error) + "</span>" : "") +
    (write ? cell("Actions", actions) : "")
}
const taskHead = (write) => "<div class=\"scroll\"><table class=\"cards\"><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Task</th>" +
  "<th scope=\"col\">State</th><th scope=\"col\">Attempts</th><th scope=\"col\">Last error</th>" +
  (write ? "<th scope=\"col\">Actions</th>" : "") + "</tr></thead><tbody></tbody></table></div>"
// rows kept by task id and changed in place: a button stays where it is while other tasks come and go
const fillTasks = (container, tasks, write) => {
  if (tasks.length === 0) return fill(container, "<p class=\"hint\">No task in this state.</p>")
  if (!container.querySelector("table")) fill(container, taskHead(write))
  const body = container.querySelector("tbody")
  const rows = new Map(Array.from(body.rows).map((row) => [row.dataset.taskId, row]))
  let previous = null
  for (const task of tasks) {
    let row = rows.get(task.id)
    rows.delete(task.id)
    if (!row) {
      row = document.createElement("tr")
      row.dataset.taskId = task.id
    }
    row.dataset.state = task.state
    fill(row, taskCells(task, write))
    const next = previous ? previous.nextSibling : body.firstChild
    if (row !== next) body.insertBefore(row, next)
    previous = row
  }
  for (const row of rows.values()) row.remove()
}
// a task by id, as its manager's store has it now
const lookUp = async (manager, id) => {
  try {
    const response = await fetch("/api/task?" + query({ manager, id }))
    const body = await response.json()
    found.set(manager, response.ok ? { task: body } : { missing: id, error: body.error })
  } catch (error) {
    found.set(manager, { missing: id, error: String(error) })
  }
}
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
        " by state\">" + states.map((s) => "<button type=\"button\" data-state=\"" + s + "\" aria-pressed=\"false\">" + s +
        " <span class=\"count\"></span></button>").join("") + "</div><form class=\"find\" role=\"search\"><label for=\"" + id + "\">Find a task by id</label><input id=\"" + id +
        "\" type=\"search\" name=\"id\" autocomplete=\"off\"><button type=\"submit\">Find</button>" +
        (write ? "<button type=\"button\" data-action=\"retry-failed\">Retry all failed</button>" : "") +
        "</form><div class=\"found\"></div><p class=\"error store-error\"></p><div class=\"list\"></div>"
      box.querySelector("form").addEventListener("submit", async (event) => {
        event.preventDefault()
        const id = box.querySelector("input").value.trim()
        if (id === "") found.delete(m.name)
        else await lookUp(m.name, id)
        renderManagers(latest.taskManagers, latest.write)
      })
      box.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-action], button[data-state]")
        if (!button) return
        if (button.dataset.state) { selected.set(m.name, button.dataset.state); return renderManagers(latest.taskManagers, latest.write) }
        act(button.dataset.action, m.name, button.dataset.id)
      })
      root.appendChild(box)
    }
    const state = selected.get(m.name) || "queued"
    const counts = {}
    for (const s of states) counts[s] = 0
    for (const t of m.tasks) counts[t.state]++
    for (const button of box.querySelectorAll(".states button")) {
      const s = button.dataset.state
      const pressed = String(s === state)
      if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed)
      const count = counts[s] + (m.more.includes(s) ? "+" : "")
      const shown = button.querySelector(".count")
      if (shown.textContent !== count) shown.textContent = count
    }
    // a task found by id follows its changes: from the list when it is in it, else asked again
    const hit = found.get(m.name)
    if (hit && hit.task) {
      const fresh = m.tasks.find((t) => t.id === hit.task.id)
      if (fresh) hit.task = fresh
      else if (!refreshing.has(m.name)) {
        refreshing.add(m.name)
        lookUp(m.name, hit.task.id).finally(() => refreshing.delete(m.name))
      }
    }
    const foundBox = box.querySelector(".found")
    if (hit && hit.task) fillTasks(foundBox, [hit.task], write)
    else fill(foundBox, !hit ? "" : "<p class=\"error\">" + esc(hit.missing) + ": " + esc(hit.error) + "</p>")
    box.querySelector(".store-error").textContent = m.error ? "Its store failed: " + m.error : ""
    fillTasks(box.querySelector(".list"), m.tasks.filter((t) => t.state === state), write)
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
    // its row gone (a cancelled task leaves the list): the focus stays in its task manager
    if (box && !box.contains(document.activeElement)) {
      const target = box.querySelector(again) || box.querySelector(".states button[aria-pressed=\"true\"]")
      if (target) target.focus()
    }
    if (!paused) drawTimeline()
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1)
  })
}

$("zoom-in").addEventListener("click", () => zoom(-1))
$("zoom-out").addEventListener("click", () => zoom(1))
$("span").addEventListener("change", (event) => { spanMillis = Number(event.target.value); drawTimeline() })
$("pause").addEventListener("click", (event) => {
  // paused, the Timeline stays at the moment it was paused (zoom and span redraw that moment)
  if (!paused) pausedAt = serverNow()
  paused = !paused
  event.target.setAttribute("aria-pressed", String(paused))
  event.target.textContent = paused ? "Resume" : "Pause"
  drawTimeline()
})
setInterval(() => { if (!paused) drawTimeline() }, 250)
connect()
`
