// Static file server for the browser tests (Node built-ins only).
// Serves ROOT under a sub-path (e.g. /pd/playbook/) on 127.0.0.1 and a free port,
// the way a district's web server would host the site:
//   directory -> its index.html (and `dir` -> 301 `dir/`), content types by extension,
//   a missing file -> ROOT/404.html with status 404, paths outside the sub-path -> plain 404,
//   paths escaping ROOT -> 403.
// usage: const { url, close } = await serve('/path/to/site', '/pd/playbook/');
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.vtt': 'text/vtt; charset=utf-8',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
  '.webmanifest': 'application/manifest+json',
};

export async function serve(root, basePath = '/') {
  root = path.resolve(root);
  const base = ('/' + basePath + '/').replace(/\/+/g, '/');

  // A 200 with the whole file, or, for a `Range: bytes=a-b` request (a video seeking, as every
  // web server answers it), 206 with that part; an unsatisfiable range is 416.
  async function sendFile(req, res, status, file) {
    let body = await fs.readFile(file);
    const headers = {
      'Content-Type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Accept-Ranges': 'bytes',
    };
    const range = status === 200 && /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
    if (range && (range[1] || range[2])) {
      const size = body.length;
      let start = range[1] ? Number(range[1]) : size - Number(range[2]);
      let end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      start = Math.max(0, start);
      if (start >= size || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` });
        return res.end();
      }
      body = body.subarray(start, end + 1);
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function sendText(res, status, text, headers = {}) {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(text + '\n');
  }

  async function notFound(req, res) {
    try {
      await sendFile(req, res, 404, path.join(root, '404.html'));
    } catch {
      sendText(res, 404, 'Not Found');
    }
  }

  async function handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method Not Allowed');
    const { pathname, search } = new URL(req.url, 'http://localhost');
    let decoded;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, 'Bad Request');
    }
    if (decoded.includes('\0')) return sendText(res, 400, 'Bad Request');
    if (decoded + '/' === base) return sendText(res, 301, 'Moved', { Location: base + search });
    if (!decoded.startsWith(base)) return sendText(res, 404, `Not Found (outside ${base})`);

    // Resolve without normalising away `..` first, so an escape is refused, not rewritten.
    const file = path.resolve(root, '.' + path.sep + decoded.slice(base.length));
    if (file !== root && !file.startsWith(root + path.sep)) return sendText(res, 403, 'Forbidden');

    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return notFound(req, res);
    }
    if (stat.isDirectory()) {
      if (!pathname.endsWith('/')) return sendText(res, 301, 'Moved', { Location: pathname + '/' + search });
      try {
        return await sendFile(req, res, 200, path.join(file, 'index.html'));
      } catch {
        return notFound(req, res);
      }
    }
    return sendFile(req, res, 200, file);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendText(res, 500, String(err));
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
