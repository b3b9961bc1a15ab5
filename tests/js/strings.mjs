// The theme's string tables for Node tests: reads themes/default/i18n/<lang>.yaml (the small
// YAML the tables are written in: groups of `key: text`, `one:`/`other:` for counts) and sets
// `globalThis.PLAYBOOK_STRINGS` the way `assets/strings.<lang>.js` does in a page.
//   import { useStrings } from './strings.mjs'; useStrings('es');
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const I18N = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../themes/default/i18n');

const scalar = (v) => {
  v = v.trim();
  if (v.startsWith('"') && v.endsWith('"')) return JSON.parse(v);
  if (v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  return v;
};

/** The table of `lang` as { "group.key": text or { one, other } }. */
export function readTable(lang) {
  const text = {};
  const path0 = [];
  for (const line of fs.readFileSync(path.join(I18N, `${lang}.yaml`), 'utf8').split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const depth = (line.length - line.trimStart().length) / 2;
    const m = line.trim().match(/^([\w-]+):\s*(.*)$/);
    if (!m) throw new Error(`strings.mjs cannot read ${lang}.yaml line: ${line}`);
    path0.length = depth;
    const [, key, value] = m;
    if (value === '') { path0.push(key); continue; }
    if (depth === 2 && (key === 'one' || key === 'other')) {
      const k = path0.join('.');
      text[k] = { ...(typeof text[k] === 'object' ? text[k] : {}), [key]: scalar(value) };
    } else {
      text[[...path0, key].join('.')] = scalar(value);
    }
  }
  return text;
}

/** Makes `lang`'s table the one the theme's scripts read. */
export function useStrings(lang = 'en') {
  globalThis.PLAYBOOK_STRINGS = { lang, text: readTable(lang) };
  return globalThis.PLAYBOOK_STRINGS;
}
