/**
 * The page's style: system colours (light and dark), tables that become cards on a narrow
 * screen, visible keyboard focus.
 *
 * @internal
 */
export const pageStyle = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de;
  --ok: #1a7f37; --fail: #cf222e; --int: #9a6700; --wait: #afb8c1; --accent: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #30363d;
    --ok: #3fb950; --fail: #f85149; --int: #d29922; --wait: #484f58; --accent: #4493f8; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; align-items: baseline; padding: .75rem 1rem;
  border-bottom: 1px solid var(--line); }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
header p { margin: 0; color: var(--muted); }
main { padding: 0 1rem 2rem; max-width: 90rem; }
.hint { color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .45rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: .85rem; color: var(--muted); }
td.num { text-align: right; white-space: nowrap; }
tr.task-row td:first-child { padding-left: 1.5rem; }
meter.bar { width: 3rem; height: .6rem; margin-left: .4rem; vertical-align: middle; }
button, select, input { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line);
  border-radius: 4px; padding: .2rem .6rem; }
button { cursor: pointer; }
button:hover { border-color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: .5rem; }
.legend { color: var(--muted); font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin: 0 .2rem 0 .6rem; vertical-align: -1px; }
.swatch.success, rect.success { background: var(--ok); fill: var(--ok); }
.swatch.failure, rect.failure { background: var(--fail); fill: var(--fail); }
.swatch.interrupted, rect.interrupted { background: var(--int); fill: var(--int); }
.swatch.wait, rect.wait { background: var(--wait); fill: var(--wait); }
.timeline svg { width: 100%; display: block; border: 1px solid var(--line); border-radius: 4px; }
.timeline text { fill: var(--muted); font-size: 11px; }
.timeline text.group { fill: var(--fg); font-weight: 600; }
.timeline line { stroke: var(--line); }
.manager { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .75rem 0; }
.manager .list { max-height: 24rem; overflow-y: auto; }
.manager h3 { font-size: 1rem; margin: .25rem 0 .5rem; }
.states { display: flex; flex-wrap: wrap; gap: .35rem; margin-bottom: .5rem; }
.states button[aria-pressed="true"] { border-color: var(--accent); background: var(--accent); color: #fff; }
.find { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin-bottom: .5rem; }
.state-failed { color: var(--fail); }
.state-succeeded { color: var(--ok); }
.state-cancelled { color: var(--int); }
.error { color: var(--fail); font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap; word-break: break-word; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 40rem) {
  table.cards thead { display: none; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .25rem .5rem; }
  table.cards td { border: 0; padding: .15rem 0; text-align: left; }
  table.cards td::before { content: attr(data-label) ": "; color: var(--muted); font-size: .85rem; }
  tr.task-row td:first-child { padding-left: 0; }
}
`
