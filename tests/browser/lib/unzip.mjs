// Extracts a zip archive (stored or deflated entries, as `playbook export` writes) into a
// folder, with Node built-ins only. Refuses entries whose path would leave the folder.
// usage: unzip('/tmp/site.zip', '/tmp/site')  → the list of extracted paths
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export function unzip(archive, dir) {
  const buf = fs.readFileSync(archive);
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${archive}: not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${archive}: damaged central directory`);
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataAt, dataAt + size);
    const target = path.resolve(dir, name);
    if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error(`${archive}: entry ${name} leaves the folder`);
    if (name.endsWith('/')) continue;
    const bytes = method === 0 ? raw : method === 8 ? zlib.inflateRawSync(raw) : null;
    if (!bytes) throw new Error(`${archive}: ${name} uses compression method ${method}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
    names.push(name);
  }
  return names;
}
