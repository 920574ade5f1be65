// A small static server for the built page: what `bash scripts/serve.sh` serves dist/
// with (no trunk needed), and what the browser tests serve it with (under a sub-path,
// as a blog or a course site would host it).
//
//   node scripts/static-server.mjs [DIR] [PORT]    (dist, 8080: http://127.0.0.1:8080/)
//
// Access-Control-Allow-Origin as GitHub Pages and most static hosts send it: a
// sandboxed iframe has an opaque origin, so its module scripts and wasm load through CORS.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream', '.json': 'application/json', '.png': 'image/png',
};

/**
 * Serves `root` at `basePath` on 127.0.0.1 (`port` 0: any free port). `route(url,
 * response)` may answer a request first (returning true). Resolves to { origin, url,
 * close() }, `url` being the page's address.
 */
export async function serveStatic({ root, basePath = '/', port = 0, route = () => false }) {
  const base = path.resolve(root);
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, 'http://localhost');
    if (route(url, response)) return;
    if (!url.pathname.startsWith(basePath)) {
      response.writeHead(404).end();
      return;
    }
    let file = path.join(base, decodeURIComponent(url.pathname.slice(basePath.length)));
    if (file !== base && !file.startsWith(base + path.sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'access-control-allow-origin': '*',
        'cache-control': 'no-store',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, url: origin + basePath, close: () => new Promise((r) => server.close(r)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'dist';
  const port = Number(process.argv[3] ?? 8080);
  const { url } = await serveStatic({ root, port });
  console.log(`Engram's playground: ${url} (serving ${root}/; Ctrl-C stops it)`);
}
