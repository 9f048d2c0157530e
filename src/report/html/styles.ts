/** The report's stylesheet, inlined so the file works from disk with no network. */
export const styles = String.raw`
:root { --pass:#1a7f37; --fail:#cf222e; --flaky:#bf8700; --skip:#57606a; --none:#d0d7de; --bg:#fff; --fg:#1f2328;
  --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; --accent:#0969da; color-scheme: light; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif; color:var(--fg); background:var(--bg); }
header { padding:16px 24px; border-bottom:1px solid var(--line); display:flex; flex-wrap:wrap; gap:8px 24px; align-items:baseline; }
header h1 { font-size:20px; margin:0; }
header .meta { color:var(--muted); font-size:12px; }
main { padding:16px 24px; max-width:1400px; }
h2 { font-size:16px; margin:24px 0 8px; }
.cards { display:flex; flex-wrap:wrap; gap:12px; }
.card { border:1px solid var(--line); border-radius:6px; padding:8px 14px; min-width:110px; background:var(--soft); }
.card b { display:block; font-size:22px; }
.card.failed b { color:var(--fail); } .card.passed b { color:var(--pass); } .card.flaky b { color:var(--flaky); } .card.skipped b { color:var(--skip); }
.banner { border-left:4px solid var(--fail); background:#ffebe9; padding:8px 12px; margin:12px 0; }
.banner.warn { border-color:var(--flaky); background:#fff8c5; }
table { border-collapse:collapse; }
.matrix td, .matrix th { border:1px solid var(--line); padding:3px 8px; font-size:13px; }
.matrix th { background:var(--soft); text-align:left; }
.matrix tr.group th { background:#eaeef2; }
.matrix td.point { white-space:nowrap; }
.matrix td.sub { padding-left:22px; }
.matrix td.cell { text-align:center; min-width:86px; cursor:pointer; color:#fff; font-weight:600; }
.matrix td.cell.not-covered { background:#f6f8fa; color:var(--muted); font-weight:400; cursor:default; }
td.cell.passed, .badge.passed { background:var(--pass); } td.cell.failed, .badge.failed { background:var(--fail); }
td.cell.flaky, .badge.flaky { background:var(--flaky); } td.cell.skipped, .badge.skipped { background:var(--skip); }
.legend { color:var(--muted); font-size:12px; margin-top:6px; }
.legend i { display:inline-block; width:10px; height:10px; margin:0 4px 0 10px; border-radius:2px; }
.filters { position:sticky; top:0; background:var(--bg); padding:10px 0; display:flex; flex-wrap:wrap; gap:8px; align-items:center; border-bottom:1px solid var(--line); z-index:2; }
.filters input, .filters select, button { font:inherit; padding:5px 8px; border:1px solid var(--line); border-radius:6px; background:#fff; }
.filters input { width:320px; }
.chip { background:#ddf4ff; border:1px solid #54aeff; border-radius:12px; padding:2px 10px; cursor:pointer; }
.count { color:var(--muted); margin-left:auto; }
.list { margin-top:8px; }
.row { border:1px solid var(--line); border-radius:6px; margin:6px 0; background:#fff; }
.row > .head { display:flex; gap:10px; align-items:center; padding:7px 10px; cursor:pointer; }
.row > .head:hover { background:var(--soft); }
.badge { color:#fff; border-radius:4px; padding:1px 7px; font-size:12px; font-weight:600; min-width:56px; text-align:center; }
.name { font-weight:600; flex:1; min-width:0; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.env, .tag { font-size:12px; border:1px solid var(--line); border-radius:10px; padding:0 7px; color:var(--muted); }
.loc, .dur { color:var(--muted); font-size:12px; font-family:ui-monospace,SFMono-Regular,Menlo,monospace; white-space:nowrap; }
.fail-line { color:var(--fail); padding:0 10px 7px 86px; font-size:13px; }
.details { border-top:1px solid var(--line); padding:10px 14px; background:#fcfcfd; }
.step { margin:4px 0; }
.step > .shead { display:grid; grid-template-columns:22px minmax(160px,280px) 1fr 80px; gap:8px; align-items:center; cursor:pointer; }
.step .mark.passed { color:var(--pass); } .step .mark.failed { color:var(--fail); } .step .mark.skipped { color:var(--skip); } .step .mark.flaky { color:var(--flaky); }
.track { position:relative; height:12px; background:var(--soft); border-radius:3px; }
.bar { position:absolute; top:0; height:12px; border-radius:3px; min-width:2px; }
.bar.passed { background:#4ac26b; } .bar.failed { background:var(--fail); } .bar.skipped { background:var(--none); } .bar.flaky { background:var(--flaky); }
.sbody { margin:6px 0 10px 30px; }
.sbody h4 { margin:10px 0 4px; font-size:13px; }
pre { background:var(--soft); border:1px solid var(--line); border-radius:6px; padding:8px; overflow:auto; max-height:360px; margin:4px 0; font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace; }
.kv td, .kv th, .attempts td, .attempts th, .asserts td, .asserts th { border:1px solid var(--line); padding:2px 8px; font-size:12px; vertical-align:top; text-align:left; }
.asserts tr.bad td { background:#ffebe9; }
.diff .add { background:#dafbe1; display:block; } .diff .del { background:#ffebe9; display:block; } .diff .ctx { display:block; color:var(--muted); }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:10px; }
.more { margin:12px 0; }
.empty { color:var(--muted); padding:20px; text-align:center; }
.details .loc { overflow-wrap:anywhere; }
`;
