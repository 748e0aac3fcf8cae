/** The report page's stylesheet: system fonts, one accent for what went wrong, nothing fetched. */
export const REPORT_STYLE = `
:root { --bad: #c8102e; --bad-soft: #fde7ea; --ink: #1d2330; --muted: #5d6675; --line: #d9dde4; --paper: #fff; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 24px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
h1 { font-size: 20px; margin: 0 0 4px; }
h1.bad { color: var(--bad); }
h1.good { color: #17713a; }
h2 { font-size: 15px; margin: 22px 0 8px; }
.meta { color: var(--muted); margin: 0 0 12px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
section.card > h2:first-child, #violations > h2:first-child { margin-top: 2px; }
section.card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
#violations ol { margin: 0; padding-left: 22px; }
#violations li { margin: 4px 0 8px; padding: 6px 8px; border-left: 3px solid var(--bad); background: var(--bad-soft); border-radius: 0 6px 6px 0; cursor: pointer; }
#violations li:hover { background: #fbd3d9; }
#violations .inv { font-weight: 600; color: var(--bad); margin-right: 6px; }
.chips { display: block; margin-top: 3px; }
.chip { display: inline-block; font: 11.5px ui-monospace, monospace; background: #fff; border: 1px solid #e3a3ad; border-radius: 10px; padding: 0 7px; margin: 2px 4px 0 0; }
.how { color: var(--muted); margin: 8px 0 0; }
.how code.inline { display: inline; padding: 1px 4px; white-space: normal; word-break: break-all; }
.flaky { color: var(--bad); }
.replay code { display: block; background: #f1f3f6; padding: 6px 8px; border-radius: 5px; margin: 4px 0; overflow-x: auto; white-space: pre; }
.toolbar { display: flex; gap: 6px; align-items: center; margin-bottom: 8px; flex-wrap: wrap; }
.toolbar button { font: inherit; padding: 2px 10px; border: 1px solid var(--line); border-radius: 5px; background: #fff; cursor: pointer; }
.toolbar button:hover { background: #eef1f5; }
.toolbar .hint { color: var(--muted); font-size: 12.5px; margin-left: 8px; }
.timeline { display: flex; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; background: #fff; }
#timeline-labels { flex: none; border-right: 1px solid var(--line); background: #fafbfc; }
#timeline-scroll { flex: 1; overflow-x: auto; overflow-y: hidden; cursor: grab; user-select: none; }
#timeline-track { position: relative; min-width: 100%; }
#timeline-svg { position: sticky; left: 0; display: block; }
svg text { font: 10.5px ui-monospace, SFMono-Regular, Menlo, monospace; fill: #222; }
.axis-title { fill: var(--muted); font-family: system-ui, sans-serif; }
.group { font: 600 11px system-ui, sans-serif; fill: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.lane-label rect { fill: transparent; }
.lane-label .name { font: 600 12px system-ui, sans-serif; }
.lane-label .detail { text-anchor: end; fill: var(--muted); font-size: 10px; }
.lane-label.hl rect { fill: var(--bad-soft); }
.lane-label.hl .name { fill: var(--bad); }
.axis-bg { fill: #fafbfc; }
.tick { stroke: #eceef2; }
.tick-label { fill: var(--muted); }
.lane { fill: #fff; }
.lane.odd { fill: #f7f8fa; }
.lane.hl { fill: var(--bad-soft); }
.life { stroke: #9aa3b1; stroke-width: 2; }
.tls { stroke: #2f7d4f; stroke-width: 3; }
.rule { stroke: #5566aa; stroke-dasharray: 4 3; }
.rule-label { fill: #5566aa; font-family: system-ui, sans-serif; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.bar rect { stroke-width: 1; }
.bar.tone-http-error rect { stroke: #b35900 !important; stroke-width: 2; }
.bar.tone-client-error rect, .bar.tone-reset rect, .bar.tone-closed-early rect, .bar.tone-rejected rect { stroke: var(--bad) !important; stroke-width: 2; stroke-dasharray: 5 2; }
.bar.tone-aborted rect { fill-opacity: .45; stroke-dasharray: 3 2; }
.bar.tone-hung rect, .bar.open rect { fill-opacity: .55; stroke-dasharray: 2 2; }
.bar .fault-stripe { fill: #7b3fb5; stroke: none; }
.bar.hl rect { stroke: var(--bad) !important; stroke-width: 3; stroke-dasharray: none; }
.bar.sel rect { stroke: #111 !important; stroke-width: 3; }
.bar.linked rect { stroke: #111 !important; stroke-width: 2; }
.bar.hl.sel rect, .bar.hl.linked rect { stroke: var(--bad) !important; stroke-width: 4; }
.bar.hover rect { filter: brightness(.92); }
.has-selection .bar:not(.sel):not(.linked):not(.hl) { opacity: .3; }
.link { stroke: #333; stroke-width: 1.2; }
.link.culprit { stroke: var(--bad); stroke-dasharray: 5 3; stroke-width: 1.6; }
.link.hl { stroke: var(--bad); stroke-width: 1.8; }
.mark line, .mark path, .mark circle { stroke: #555; stroke-width: 1.5; fill: #555; }
.mark .hollow { fill: #fff; }
.mark .cross { fill: none; stroke-width: 2; }
.mark .dashed { stroke-dasharray: 3 2; }
.kind-handshake circle, .kind-resumed circle { stroke: #2f7d4f; fill: #2f7d4f; }
.kind-resumed circle { fill: #fff; }
.kind-fin line, .kind-fin path { stroke: #c26a00; fill: #c26a00; }
.kind-server-close line { stroke: #7a1020; stroke-width: 2.5; }
.kind-reset line, .kind-reset path, .kind-error path { stroke: var(--bad); fill: var(--bad); }
.kind-fault path { stroke: #7b3fb5; fill: #7b3fb5; }
.kind-abort line, .kind-abort path { stroke: #111; }
.kind-hang line, .kind-hang path { stroke: var(--bad); fill: none; }
.kind-timed circle, .kind-timed path { stroke: #2b6cb0; fill: #fff; }
.kind-timed .hand { fill: none; }
.mark.hl line, .mark.hl path { stroke-width: 3; }
#timeline-tip { position: fixed; display: none; z-index: 10; max-width: 380px; background: #fff; border: 1px solid #aab; border-radius: 6px; padding: 6px 8px; box-shadow: 0 4px 14px rgba(0,0,0,.15); pointer-events: none; font-size: 12px; }
#timeline-tip p { margin: 0; }
table.kv th, #timeline-tip th, #timeline-details th { text-align: left; color: var(--muted); font-weight: 500; padding: 1px 10px 1px 0; vertical-align: top; white-space: nowrap; }
#timeline-tip td, #timeline-details td { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
#timeline-details { margin-top: 10px; display: flex; gap: 16px; flex-wrap: wrap; }
#timeline-details h3 { font-size: 13px; margin: 0 0 4px; }
#timeline-details .hint { color: var(--muted); margin: 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 10px; color: var(--muted); font-size: 12.5px; }
.legend svg { vertical-align: middle; margin-right: 4px; }
table.verdicts { border-collapse: collapse; width: 100%; }
table.verdicts th, table.verdicts td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid #eef0f3; vertical-align: top; }
td.VIOLATED { color: var(--bad); font-weight: 600; }
ul.scenario { margin: 0; padding-left: 18px; font-family: ui-monospace, monospace; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 20px; }
`;
