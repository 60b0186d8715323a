/** What the page shows. */
export interface PageModel {
  transport: string;
  pid: number;
  workers: number[];
  hits: unknown;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The demo's one page: the shared counter, which worker answered, and the workers alive. */
export function renderPage(model: PageModel): string {
  const workers = model.workers
    .map((pid) => `<li>${pid}${pid === model.pid ? ' (this one)' : ''}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>statewire demo</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
output{font-size:3rem;font-weight:600;display:block}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body>
<h1>statewire demo</h1>
<p>Transport: <code>${escapeHtml(model.transport)}</code>. Every worker shares one counter.</p>
<output id="hits">${escapeHtml(String(model.hits))}</output>
<p><button id="hit">POST /hits</button> answered by worker <code id="pid">${model.pid}</code></p>
<h2>Workers alive</h2><ul>${workers}</ul>
<script>
document.getElementById('hit').onclick = async () => {
  const r = await fetch('/hits', { method: 'POST' });
  const body = await r.json();
  document.getElementById('hits').textContent = body.hits;
  document.getElementById('pid').textContent = body.pid;
};
</script>
</body>
</html>
`;
}
