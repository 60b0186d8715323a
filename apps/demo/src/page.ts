import type { ClusterStats } from './stats.js';

/** What the page shows when it is served; its script keeps it up to date from `/stats`. */
export interface PageModel extends ClusterStats {
  transport: string;
  /** The worker that served the page. */
  pid: number;
  hits: unknown;
}

/** How many requests the burst button sends. */
export const BURST_SIZE = 60;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function workerRows(model: PageModel): string {
  return model.workers
    .map(
      (w) =>
        `<tr data-pid="${w.pid}"><td class="pid">${w.pid}</td><td class="served">${w.served}</td></tr>`,
    )
    .join('');
}

// The page's script: polls /stats once a second and redraws the numbers; the burst
// button sends BURST_SIZE increments, each on a connection of its own (`?close`: the
// server answers `Connection: close`), and tallies which worker answered each one.
const script = `
const $ = (id) => document.getElementById(id);
function rows(workers) {
  const body = $('workers');
  body.replaceChildren(...workers.map((w) => {
    const tr = document.createElement('tr');
    tr.dataset.pid = String(w.pid);
    for (const [name, text] of [['pid', w.pid], ['served', w.served]]) {
      const td = document.createElement('td');
      td.className = name;
      td.textContent = String(text);
      tr.append(td);
    }
    return tr;
  }));
}
async function refresh() {
  try {
    const r = await fetch('/stats', { cache: 'no-store' });
    if (r.ok) {
      const s = await r.json();
      $('hits').textContent = s.hits;
      $('rps').textContent = s.requestsPerSecond;
      $('count').textContent = s.workers.length;
      rows(s.workers);
      $('status').textContent = 'live';
    } else $('status').textContent = 'stats answered ' + r.status;
  } catch (e) {
    $('status').textContent = 'cannot reach the demo';
  }
  setTimeout(refresh, 1000);
}
$('hit').onclick = async () => {
  const r = await fetch('/hits', { method: 'POST' });
  const body = await r.json();
  $('hits').textContent = body.hits;
  $('pid').textContent = body.pid;
};
$('burst').onclick = async () => {
  $('burst').disabled = true;
  const tally = new Map();
  let failed = 0;
  await Promise.all(Array.from({ length: ${BURST_SIZE} }, async () => {
    try {
      const r = await fetch('/hits?close', { method: 'POST', cache: 'no-store' });
      const body = await r.json();
      tally.set(body.pid, (tally.get(body.pid) ?? 0) + 1);
      $('hits').textContent = body.hits;
    } catch (e) {
      failed++;
    }
  }));
  const list = $('spread');
  list.replaceChildren(...[...tally].sort((a, b) => a[0] - b[0]).map(([pid, n]) => {
    const li = document.createElement('li');
    li.dataset.pid = String(pid);
    li.dataset.count = String(n);
    li.textContent = 'worker ' + pid + ': ' + n + ' ';
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = (n * 100 / ${BURST_SIZE}) + '%';
    li.append(bar);
    return li;
  }));
  $('burst-summary').textContent = (${BURST_SIZE} - failed) + ' answered by ' + tally.size +
    ' worker' + (tally.size === 1 ? '' : 's') + (failed ? ', ' + failed + ' failed' : '');
  $('burst').disabled = false;
};
refresh();
`;

/**
 * The demo's one page: the shared counter, the workers alive with how many requests each
 * answered, the request rate, and a burst button that shows requests spreading.
 */
export function renderPage(model: PageModel): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>statewire demo</title>
<style>body{font:16px system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
output{font-weight:600}#hits{font-size:3rem;display:block}button{font-size:1rem;padding:.5rem 1rem}
table{border-collapse:collapse}td,th{padding:.2rem 1rem;text-align:right;border-bottom:1px solid #ddd}
.bar{display:inline-block;height:.8rem;background:#3a7bd5;vertical-align:middle}#status{color:#666}</style></head>
<body>
<h1>statewire demo</h1>
<p>Transport: <code>${escapeHtml(model.transport)}</code>. Every worker shares one counter.
<span id="status">loading</span></p>
<output id="hits">${escapeHtml(String(model.hits))}</output>
<p>Requests per second: <output id="rps">${model.requestsPerSecond}</output></p>
<p><button id="hit">POST /hits</button> answered by worker <code id="pid">${model.pid}</code></p>
<h2>Workers alive: <output id="count">${model.workers.length}</output></h2>
<table><thead><tr><th>pid</th><th>requests answered</th></tr></thead>
<tbody id="workers">${workerRows(model)}</tbody></table>
<h2>Spread</h2>
<p><button id="burst">Send ${BURST_SIZE} requests</button> <span id="burst-summary"></span></p>
<ul id="spread"></ul>
<script>${script}</script>
</body>
</html>
`;
}
