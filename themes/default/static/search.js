// gazette search: queries the static index under search/ (built by
// src/search/) in the browser. Tokenisation mirrors src/search/tokenize.rs:
// CJK bigrams with positions, whole case-folded words, run edges next to
// words; a phrase matches only where its tokens sit at consecutive positions,
// so a CJK query is an exact substring match. Postings are Rice-coded bit
// streams (src/search/codec.rs); snippets are cut from the article holding
// the hit, fetched from the document's own page with a Range request
// (src/search/snippets.rs). No dependencies, no build step.

const app = document.getElementById("search-app");
const T = JSON.parse(document.getElementById("search-strings").textContent);
const base = app.dataset.base;
const indexUrl = new URL(base + "search/", location.href);
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const PAGE = 10;
/** The index format this script reads (`version` in manifest.json). */
const FORMAT = 5;

// ---------- loading ----------

/** A file of an index build that is gone: the site was deployed again. */
class Stale extends Error {}

const fetched = new Map();

/** Bytes of index file `name` (or `len` bytes of it from `from`, a Range
 * request); with `gz`, gunzipped unless the server already did. Files are
 * named by their content, so a cached one is never out of date. */
function fetchBytes(name, gz, from = null, len = null) {
  const key = from == null ? name : `${name}:${from}:${len}`;
  if (!fetched.has(key)) {
    fetched.set(key, (async () => {
      const headers = from == null ? {} : { Range: `bytes=${from}-${from + len - 1}` };
      const res = await fetch(new URL(name, indexUrl), { headers });
      if (res.status === 404) throw new Stale(name);
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
      let raw = new Uint8Array(await res.arrayBuffer());
      // A server without ranges sends the whole file.
      if (from != null && res.status !== 206) raw = raw.subarray(from, from + len);
      if (!gz || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
      const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    })());
  }
  return fetched.get(key);
}

const decoder = new TextDecoder();
/** A gzipped JSON index file (or a gzip member of one: `from`, `len`). */
const fetchJson = async (name, from, len) => JSON.parse(decoder.decode(await fetchBytes(name, true, from, len)));

let index = null;
/** Status keys from docs.bin: every one in display order, those shown by
 * default, those in force. */
let statuses = null;
/** Document metadata and the names of the index files, loaded once. The
 * manifest is always revalidated: it names this build's docs.bin. */
function loadIndex() {
  index ??= (async () => {
    const res = await fetch(new URL("manifest.json", indexUrl), { cache: "no-cache" });
    if (!res.ok) throw new Error(`manifest.json: HTTP ${res.status}`);
    const manifest = await res.json();
    if (manifest.version !== FORMAT) throw new Error(`search index format ${manifest.version}, this script reads ${FORMAT}`);
    const meta = await fetchJson(manifest.docs);
    statuses = { all: meta.statuses, shown: meta.shown, inForce: new Set(meta.in_force) };
    const group = meta.files.group;
    let tableAt = 0;
    // A row's positions, by column name: docs.bin names them once.
    const col = Object.fromEntries(meta.columns.map((name, k) => [name, k]));
    const facet = (d, name) => (d[col[name]] == null ? null : meta.facets[name][d[col[name]]]);
    const docs = meta.docs.map((d, i) => {
      // Each table is one gzip member of its group's file, in document order.
      if (i % group === 0) tableAt = 0;
      const table = d[col.table], published = d[col.published];
      tableAt += table;
      return {
        i, id: d[col.id], title: d[col.title], number: d[col.number] || "",
        issuer: facet(d, "issuer"), level: facet(d, "level"), category: facet(d, "category"),
        status: meta.statuses[d[col.status]], date: published || "", year: published ? +published.slice(0, 4) : null,
        headEnd: d[col.head_end], bodyLen: d[col.body_len], length: d[col.head_end] + d[col.body_len], body: d[col.body],
        table: table ? { file: meta.files.tables[Math.floor(i / group)], from: tableAt - table, len: table } : null,
      };
    });
    return { files: meta.files, docs };
  })();
  return index;
}

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function varint(bytes, at) {
  let n = 0, shift = 0, b;
  do { b = bytes[at.i++]; n += (b & 0x7f) * 2 ** shift; shift += 7; } while (b >= 0x80);
  return n;
}

/** Reader of codec.rs's bit streams: Rice and Elias gamma codes, most
 * significant bit first. Past the end every bit reads as zero. */
class Bits {
  constructor(bytes, from) { this.bytes = bytes; this.bit = from * 8; }
  one() { const b = (this.bytes[this.bit >> 3] >> (7 - (this.bit & 7))) & 1; this.bit++; return b; }
  bits(n) { let v = 0; for (let i = 0; i < n; i++) v = v * 2 + this.one(); return v; }
  unary() { let q = 0; while (this.one()) q++; return q; }
  rice(k) { return this.unary() * 2 ** k + this.bits(k); }
  gamma() { const len = this.unary(); return 2 ** len + this.bits(len); }
}

/** Rice parameter for gaps averaging total / count (mirror of codec::rice_k). */
function riceK(total, count) {
  const scaled = Math.floor((total * 11) / (Math.max(count, 1) * 16));
  return scaled === 0 ? 0 : 31 - Math.clz32(scaled);
}

const shards = new Map();
/** The directory of a postings file (its first `head` bytes, or all of a
 * file of one large posting): key → {docs, from, len}, `from` counted from
 * the first posting. */
function loadShard(name, head) {
  if (head === 0) return Promise.resolve(new Map()); // an empty shard
  if (!shards.has(name)) {
    shards.set(name, fetchBytes(name, false, head == null ? null : 0, head).then((bytes) => {
      const map = new Map();
      const at = { i: 0 }, end = head ?? bytes.length;
      let from = 0;
      while (at.i < end) {
        const keyLen = varint(bytes, at);
        const key = decoder.decode(bytes.subarray(at.i, at.i + keyLen));
        at.i += keyLen;
        const docs = varint(bytes, at), len = varint(bytes, at);
        // A large posting's file holds it right after its directory entry.
        if (head == null) { map.set(key, { docs, bytes: bytes.subarray(at.i, at.i + len) }); at.i += len; }
        else { map.set(key, { docs, from, len }); from += len; }
      }
      return map;
    }));
  }
  return shards.get(name);
}

/** Decoded posting of `key` (format: codec.rs): Map doc → {tf, positions}.
 * Decoded afresh for each query (a few milliseconds): only the shard bytes are kept. */
async function posting(key, positional) {
  const { files, docs } = await loadIndex();
  const shard = fnv1a(key) % files.shards.length;
  const own = files.own[key];
  const entry = own ? (await loadShard(own)).get(key) : (await loadShard(files.shards[shard], files.heads[shard])).get(key);
  // A shard's posting alone, by a Range request after its directory.
  const bytes = entry && (entry.bytes ?? await fetchBytes(files.shards[shard], false, files.heads[shard] + entry.from, entry.len));
  const out = new Map();
  if (entry) {
    // Documents section: gaps and frequencies; then, byte-aligned, positions.
    const bits = new Bits(bytes, 0);
    const docK = riceK(docs.length, entry.docs);
    const found = [];
    for (let n = 0, next = 0; n < entry.docs; n++) {
      const doc = next + bits.rice(docK), tf = bits.gamma();
      if (doc >= docs.length || tf > docs[doc].length + 1) break; // not this index's format
      next = doc + 1;
      found.push([doc, tf]);
    }
    bits.bit = Math.ceil(bits.bit / 8) * 8;
    for (const [doc, tf] of found) {
      let positions = null;
      if (positional) {
        const k = riceK(docs[doc]?.length ?? 0, tf);
        positions = new Array(tf);
        for (let j = 0, p = -1; j < tf; j++) positions[j] = p = p + 1 + bits.rice(k);
      }
      out.set(doc, { tf, positions });
    }
  }
  return out;
}

// ---------- tokenising (mirror of tokenize.rs) ----------

const isCjk = (cp) => cp === 0x3007 || (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf)
  || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff)
  || (cp >= 0x20000 && cp <= 0x3134f);
const fold = (s) => s.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g,
  (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).toLowerCase();
const wordLike = /[\p{Alphabetic}\p{N}]/u;
const segmenter = new Intl.Segmenter("en", { granularity: "word" });

/** Tokens of `text`: {key, pos, positional}. */
function tokenize(text) {
  const out = [];
  let pos = 0, prev = "gap", prevChar = "";
  const gap = () => { if (prev !== "gap") { pos++; prev = "gap"; } };
  const latin = (s) => {
    for (const { segment } of segmenter.segment(s)) {
      if (!wordLike.test(segment)) { gap(); continue; }
      if (prev === "cjk") out.push({ key: prevChar + "$", pos: pos - 1, positional: true });
      out.push({ key: fold(segment), pos, positional: true });
      prev = "word"; pos++;
    }
  };
  let other = "";
  for (const c of text) {
    if (!isCjk(c.codePointAt(0))) { other += c; continue; }
    if (other) { latin(other); other = ""; }
    if (prev === "cjk") out.push({ key: prevChar + c, pos: pos - 1, positional: true });
    else if (prev === "word") out.push({ key: "^" + c, pos, positional: true });
    out.push({ key: c, pos, positional: false });
    prev = "cjk"; prevChar = c; pos++;
  }
  if (other) latin(other);
  return out;
}

// ---------- queries ----------

const NUMERAL = "零〇一二两三四五六七八九十百千万";
const ARTICLE = new RegExp(`^第([${NUMERAL}\\d]+)条$`);

/** Value of a Chinese or Arabic numeral (mirror of articles::parse_numeral). */
function numeral(s) {
  if (/^\d+$/.test(s)) return +s;
  const digits = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
  let total = 0, section = 0, digit = null;
  for (const c of s) {
    if (c in digits) digit = digits[c];
    else if (c === "十" || c === "百" || c === "千") {
      section += (digit ?? 1) * { 十: 10, 百: 100, 千: 1000 }[c]; digit = null;
    } else if (c === "万") { total += (section + (digit ?? 0)) * 10000; section = 0; digit = null; }
  }
  return total + section + (digit ?? 0);
}

const ARTICLE_TAIL = new RegExp(`^(.+?)(第[${NUMERAL}\\d]+条)$`);
/** Brackets of 文号 and titles, typed in any of their shapes. The index keeps
 * no punctuation, so a term with brackets is matched against titles and
 * 文号 as written (`〔2019〕` must not find every text with 2019). */
const BRACKET = /[〔〕［］【】\[\]（）()]/;
const SAME_BRACKET = { "［": "〔", "【": "〔", "[": "〔", "］": "〕", "】": "〕", "]": "〕", "(": "（", ")": "）" };

/** Terms of a query string: quoted phrases and space-separated words; a
 * word ending in 第N条 (`民法典第十条`) is two terms, as if spaced. */
function parseQuery(q) {
  const terms = [];
  for (const m of q.matchAll(/["“”「」『』]([^"“”「」『』]+)["“”「」『』]|(\S+)/g)) {
    const term = (m[1] ?? m[2]).trim();
    const split = m[2] && term.match(ARTICLE_TAIL);
    for (const t of split ? [split[1], split[2]] : [term]) if (tokenize(t).length) terms.push(t);
  }
  const art = terms.map((t) => t.match(ARTICLE)).find(Boolean);
  return { terms, article: art ? numeral(art[1]) : null };
}

/** Documents matching one term: Map doc → {tf, positions|null}. */
async function matchTerm(term) {
  const tokens = tokenize(term);
  const positional = tokens.filter((t) => t.positional);
  if (!positional.length) return posting(tokens[0].key, false);
  const lists = await Promise.all(positional.map((t) => posting(t.key, true)));
  const order = lists.map((l, k) => k).sort((a, b) => lists[a].size - lists[b].size);
  const anchor = order[0];
  const out = new Map();
  for (const [doc, { positions }] of lists[anchor]) {
    if (!order.every((k) => lists[k].has(doc))) continue;
    const sets = order.slice(1).map((k) => [positional[k].pos, new Set(lists[k].get(doc).positions)]);
    const starts = [];
    for (const p of positions) {
      const start = p - positional[anchor].pos;
      if (sets.every(([off, set]) => set.has(start + off))) starts.push(start);
    }
    if (starts.length) out.set(doc, { tf: starts.length, positions: starts });
  }
  return out;
}

const normalise = (s) => fold(s).replace(/[\s\u3000]/g, "");
/** `s` normalised, with every bracket in one shape. */
const normaliseBrackets = (s) => normalise(s).replace(/[［【\[］】\]()]/g, (c) => SAME_BRACKET[c]);
/** A law's name as readers type it: its title without 中华人民共和国 and a
 * trailing parenthesis (`刑法` for 中华人民共和国刑法（2020修正）). */
const nameOf = (title) => normalise(title).replace(/^中华人民共和国/, "").replace(/[（(][^（）()]*[）)]$/, "");
/** `title` without what its 书名号 quote: an interpretation of a law names the law only there. */
const unquoted = (title) => normalise(title).replace(/《[^《》]*》/g, "");

/** How closely `d`'s title or 文号 answers `terms` (higher first): 4 the
 * query is its 文号, title or name exactly; 3 every term in the title
 * outside 《》; 2 every term in the title or 文号; 1 some; 0 none. */
function tier(d, terms, titleTerms) {
  const q = normalise(terms.join(""));
  if ((d.number && normaliseBrackets(d.number) === normaliseBrackets(q))
    || normalise(d.title) === q || nameOf(d.title) === q) return 4;
  if (titleTerms < terms.length) return titleTerms ? 1 : 0;
  return terms.every((t) => unquoted(d.title).includes(normalise(t))) ? 3 : 2;
}

/** Ranked matching documents for `state`, with facet counts. */
async function search(state) {
  const { docs, files } = await loadIndex();
  const { terms, article } = parseQuery(state.q);
  if (!terms.length) return null;
  const [articles, ...matched] = await Promise.all([
    article ? posting("§" + article, false) : new Map(), ...terms.map(matchTerm)]);
  // An article term matches the documents having that article however
  // their text numbers it (第3条 finds 第三条), and names a place in a
  // document, not what the document is.
  terms.forEach((t, k) => {
    if (!article || !ARTICLE.test(t)) return;
    for (const doc of articles.keys()) if (!matched[k].has(doc)) matched[k].set(doc, { tf: 0, positions: [] });
  });
  const naming = terms.filter((t) => !(article && ARTICLE.test(t)));
  const n = docs.length;
  const hits = [];
  for (const [doc] of matched.reduce((a, b) => (a.size <= b.size ? a : b))) {
    if (!matched.every((m) => m.has(doc))) continue;
    const d = docs[doc];
    let score = 0, titleTerms = 0, first = Infinity, exact = true;
    terms.forEach((term, k) => {
      const m = matched[k].get(doc);
      if (BRACKET.test(term)) {
        exact &&= normaliseBrackets(d.title + "\n" + d.number).includes(normaliseBrackets(term));
        titleTerms++;
        return;
      }
      const inTitle = m.positions ? m.positions.some((p) => p < d.headEnd)
        : normalise(d.title + d.number).includes(normalise(term));
      if (inTitle && naming.includes(term)) titleTerms++;
      const body = m.positions ? m.positions.filter((p) => p >= d.headEnd) : null;
      const tf = body ? body.length : m.tf;
      if (body?.length) first = Math.min(first, body[0]);
      const df = matched[k].size;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += idf * (tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * d.bodyLen / (files.avg_body || 1)));
    });
    if (!exact || (state.scope === "title" && titleTerms < naming.length)) continue;
    const rank = naming.length ? tier(d, naming, titleTerms) : 0;
    hits.push({ d, score: Math.round(score * 10) / 10, tier: rank, first,
      article: articles.has(doc) ? article : null, named: rank === 4 });
  }
  hits.sort((a, b) => b.tier - a.tier || !!b.article - !!a.article || b.score - a.score
    || statuses.inForce.has(b.d.status) - statuses.inForce.has(a.d.status) || b.d.date.localeCompare(a.d.date));
  return { terms, article, ...facet(hits, state) };
}

const FACETS = ["status", "issuer", "level", "category"];
/** Apply filters; count each facet's values under the other filters. A
 * document the query names exactly passes the default status filter: its
 * 文号 or title typed in full finds it even when no longer in force. */
function facet(hits, state) {
  const passes = (h, skip) => FACETS.every((f) => f === skip || allowed(state, f, h.d[f])
      || (f === "status" && h.named && !state.status))
    && (!state.from || (h.d.year && h.d.year >= state.from))
    && (!state.to || (h.d.year && h.d.year <= state.to));
  const counts = {};
  for (const f of FACETS) {
    const c = new Map();
    for (const h of hits) if (passes(h, f) && h.d[f] != null) c.set(h.d[f], (c.get(h.d[f]) || 0) + 1);
    counts[f] = c;
  }
  return { results: hits.filter((h) => passes(h, null)), counts };
}

function allowed(state, f, value) {
  if (f === "status") return state.status === "all" || statusesOf(state).includes(value);
  return !state[f] || state[f] === value;
}
/** The statuses `state` shows: those chosen, or the default ones (null: all). */
const statusesOf = (state) => (state.status === "all" ? null : state.status ? state.status.split(",") : statuses.shown);

// ---------- snippets ----------

/** The article of `d` holding body position `at.pos`, or the one anchored
 * `at.anchor`: {anchor, blocks}. The index holds no text: the article's
 * bytes are fetched from the document's page (a Range request; a server
 * without ranges sends the whole page). Without the terms `re` in them (a
 * page changed since indexing), the whole page's text stands in. */
async function chunkAt(d, at, re) {
  let row = null;
  if (d.table) {
    // Byte gaps count from the start of the page's body.
    let start = 0, byte = d.body;
    for (const [gap, anchor, byteGap, len] of await fetchJson(d.table.file, d.table.from, d.table.len)) {
      start += gap;
      if (at.anchor == null && start > at.pos) break;
      if (byteGap != null) byte += byteGap;
      if (at.anchor == null || anchor === at.anchor) row = { anchor, from: byteGap == null ? null : byte, len };
      if (at.anchor != null && anchor === at.anchor) break;
    }
  }
  let blocks = row?.from != null ? await pageSlice(d, row.from, row.len) : [];
  re.lastIndex = 0;
  if (!re.test(textOf(blocks)) && at.anchor == null) blocks = await pageBody(d);
  return { anchor: row?.anchor ?? null, blocks };
}

const BLOCK = /^(P|LI|TR|BLOCKQUOTE|DT|DD|H[1-6])$/;
/** Blocks of text of `html` (paragraphs, list items, headings): {text, heading}. */
function htmlBlocks(html) {
  const t = document.createElement("template");
  t.innerHTML = html;
  const out = [];
  const walk = (node) => {
    for (const c of node.children) {
      if (BLOCK.test(c.tagName)) out.push({ text: c.textContent.trim(), heading: c.tagName[0] === "H" });
      else walk(c);
    }
  };
  walk(t.content);
  return out.filter((b) => b.text);
}
const textOf = (blocks) => blocks.map((b) => b.text).join("\n");

const slices = new Map();
function pageSlice(d, from, len) {
  const key = `${d.i}:${from}:${len}`;
  if (!slices.has(key)) {
    slices.set(key, (async () => {
      try {
        const res = await fetch(docUrl(d), { headers: { Range: `bytes=${from}-${from + len - 1}` } });
        if (!res.ok) return [];
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (res.status !== 206) {
          // A server without ranges sent the whole page: keep its text too.
          pages.set(d.i, Promise.resolve(bodyBlocks(decoder.decode(bytes))));
        }
        const html = decoder.decode(res.status === 206 ? bytes : bytes.subarray(from, from + len));
        // Bytes that do not open an article or the body are not the page that
        // was indexed (edited since, or rewritten by the host): use the whole page.
        return html.startsWith("<!--text-->") || html.startsWith('<p id="art-') ? htmlBlocks(html) : [];
      } catch {
        return []; // e.g. a range of a compressed body: chunkAt falls back to the whole page
      }
    })());
  }
  return slices.get(key);
}

/** Blocks of the body of a page (between the markers markdown.rs writes). */
function bodyBlocks(html) {
  const from = html.indexOf("<!--text-->"), to = html.indexOf("<!--/text-->");
  return from < 0 ? [] : htmlBlocks(html.slice(from, to < 0 ? undefined : to));
}

const pages = new Map();
/** Blocks of the body of `d`'s page, fetched once. */
function pageBody(d) {
  if (!pages.has(d.i)) {
    pages.set(d.i, (async () => {
      try {
        const res = await fetch(docUrl(d));
        return res.ok ? bodyBlocks(await res.text()) : [];
      } catch {
        return []; // offline or gone: the result shows without a snippet
      }
    })());
  }
  return pages.get(d.i);
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A pattern for `term` that matches its brackets in any shape. */
const termPattern = (term) => [...term].map((c) => {
  const shape = SAME_BRACKET[c] ?? c;
  const all = Object.keys(SAME_BRACKET).filter((k) => SAME_BRACKET[k] === shape);
  return all.length ? `[${escapeRe(shape + all.join(""))}]` : escapeRe(c);
}).join("");
/** A regexp matching any of the terms, case-insensitively. */
const termsRe = (terms) => new RegExp(terms.map(termPattern).sort((a, b) => b.length - a.length).join("|"), "giu");

/** Append `text` to `el` with matches of `re` in <mark>. */
function highlight(el, text, re) {
  re.lastIndex = 0;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (!m[0]) continue;
    el.append(text.slice(last, m.index));
    const mark = document.createElement("mark");
    mark.textContent = m[0];
    el.append(mark);
    last = m.index + m[0].length;
  }
  el.append(text.slice(last));
}

/** Where a snippet may start or end: after sentence and clause marks. */
const BOUNDARY = /[。；！？：，、\s]/;

/** A window around the first match of `re` in `blocks`, within the block
 * holding it and its neighbours up to a heading (a hit in a heading shows
 * the heading alone); it starts after a clause mark, never mid-word or
 * mid-文号, when one lies near. */
function cut(blocks, re) {
  let k = blocks.findIndex((b) => { re.lastIndex = 0; return re.test(b.text); });
  if (k < 0) k = 0;
  let lo = k, hi = k;
  if (!blocks[k]?.heading) {
    while (lo > 0 && !blocks[lo - 1].heading) lo--;
    while (hi + 1 < blocks.length && !blocks[hi + 1].heading) hi++;
  }
  const text = blocks.slice(lo, hi + 1).map((b) => b.text).join(" ");
  re.lastIndex = 0;
  const m = re.exec(text);
  const at = m ? m.index : 0;
  let from = Math.max(0, at - 40);
  if (from > 0) {
    const ahead = text.slice(from, at).search(BOUNDARY);
    const back = text.slice(Math.max(0, from - 30), from).search(/[。；！？：，、\s][^。；！？：，、\s]*$/);
    if (ahead >= 0) from += ahead + 1;
    else if (back >= 0) from = Math.max(0, from - 30) + back + 1;
  }
  let to = Math.min(text.length, at + 90);
  if (to < text.length) {
    // End after a clause mark just ahead, or else just behind.
    const end = text.slice(to, to + 20).search(BOUNDARY);
    const back = text.slice(to - 20, to).search(/[。；！？：，、\s][^。；！？：，、\s]*$/);
    if (end >= 0) to += end + 1;
    else if (back >= 0 && to - 20 + back > at) to = to - 20 + back + 1;
  }
  return (from > 0 ? "…" : "") + text.slice(from, to).trim() + (to < text.length ? "…" : "");
}

// ---------- page ----------

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};
const docUrl = (d) => base + "docs/" + d.id.split("/").map(encodeURIComponent).join("/") + "/";
const statusLabel = (s) => T["status_" + s] || s;

function readState() {
  const p = new URLSearchParams(location.search);
  const num = (k) => (p.get(k) && /^\d{1,4}$/.test(p.get(k)) ? +p.get(k) : null);
  return {
    q: p.get("q") || "", status: p.getAll("status").join(",") || null,
    issuer: p.get("issuer"), level: p.get("level"), category: p.get("category"),
    from: num("from"), to: num("to"), scope: p.get("scope") === "title" ? "title" : null,
  };
}

function writeState(state) {
  const p = new URLSearchParams();
  for (const k of ["q", "status", "issuer", "level", "category", "from", "to", "scope"]) {
    if (state[k] != null && state[k] !== "") p.set(k, state[k]);
  }
  history.replaceState(null, "", "?" + p.toString());
}

let state = readState();
let run = 0;
let shown = 0;
let current = null;

/** Forget everything loaded from an index build that is gone. */
function forgetIndex() {
  index = null;
  for (const cache of [fetched, shards, slices, pages]) cache.clear();
}

async function update(retry = true) {
  const mine = ++run;
  delete app.dataset.state;
  writeState(state);
  const status = document.getElementById("search-count");
  if (!state.q.trim()) { current = null; render(null); status.textContent = ""; app.dataset.state = "done"; return; }
  status.textContent = T.search_loading;
  try {
    const found = await search(state);
    if (mine !== run) return;
    // A query of punctuation only has no terms: nothing to look up.
    if (!found) { current = null; render(null); status.textContent = T.search_none; app.dataset.state = "done"; return; }
    current = found;
    shown = 0;
    render(found);
    await more();
    app.dataset.state = "done";
  } catch (e) {
    if (e instanceof Stale && retry) {
      forgetIndex();
      return update(false);
    }
    status.textContent = T.search_error;
    app.dataset.state = "error";
    console.error(e);
  }
}

function render(found) {
  const count = document.getElementById("search-count");
  const list = document.getElementById("search-results");
  list.replaceChildren();
  document.getElementById("search-more").hidden = true;
  renderFilters(found);
  if (!found) {
    count.textContent = "";
    return;
  }
  count.replaceChildren(T.count_prefix + " ", el("strong", null, String(found.results.length)),
    " " + T.search_count_suffix);
  if (!found.results.length) list.append(el("li", "search-none", T.search_none));
}

/** Render the next page of results with snippets. */
async function more() {
  const found = current;
  const page = found.results.slice(shown, shown + PAGE);
  shown += page.length;
  const re = termsRe(found.terms);
  const items = await Promise.all(page.map((h) => resultItem(h, re)));
  if (found !== current) return;
  document.getElementById("search-results").append(...items);
  document.getElementById("search-more").hidden = shown >= found.results.length;
}

/** The numbering an article's text opens with (第三条, 第10条之一). */
const LABEL = new RegExp(`^第[${NUMERAL}\\d]+条(?:之[${NUMERAL}]+)?`);

async function resultItem(h, re) {
  const { d } = h;
  const li = el("li", "result result-" + d.status);
  // An article query shows the article itself; other hits the article holding the first one.
  const at = h.article ? { anchor: `art-${h.article}` } : h.first < Infinity ? { pos: h.first } : null;
  const chunk = at ? await chunkAt(d, at, re) : null;
  const anchor = h.article ? at.anchor : chunk?.anchor;
  const a = el("a", "result-title");
  a.href = docUrl(d) + (anchor ? "#" + anchor : "");
  highlight(a, d.title, re);
  const head = el("h2");
  head.append(a, " ", el("span", "status status-" + d.status, statusLabel(d.status)));
  li.append(head);
  const meta = el("p", "result-meta");
  for (const part of [d.number, d.issuer, d.date && `${T.published} ${d.date}`]) {
    if (part) meta.append(el("span", null, part));
  }
  li.append(meta);
  if (chunk?.blocks.length) {
    const p = el("p", "snippet");
    highlight(p, cut(chunk.blocks, re), re);
    li.append(p);
  }
  if (h.article) {
    // Say the article as its text numbers it: 第三条 where the text does, 第3条 where it does.
    const label = chunk?.blocks[0]?.text.match(LABEL)?.[0] ?? T.search_article.replace("{n}", h.article);
    const jump = el("a", "result-article", `${T.search_jump} ${label}`);
    jump.href = a.href;
    li.append(jump);
  }
  return li;
}

function renderFilters(found) {
  const box = document.getElementById("search-filters");
  // Keep keyboard focus on the control that was used across the re-render.
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  box.replaceChildren();
  if (focused) queueMicrotask(() => box.querySelector(`[data-key="${focused}"]`)?.focus());
  panel.hidden = !found;
  if (!found) return;
  const { counts } = found;
  const visible = statusesOf(state);
  const fs = el("fieldset");
  fs.append(el("legend", null, T.status));
  for (const s of statuses.all) {
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.dataset.key = "status-" + s;
    box.checked = !visible || visible.includes(s);
    box.addEventListener("change", () => {
      const now = new Set(statusesOf(state) ?? statuses.all);
      if (box.checked) now.add(s); else now.delete(s);
      state.status = now.size === statuses.all.length ? "all" : statuses.all.filter((k) => now.has(k)).join(",");
      update();
    });
    label.append(box, " ", el("span", "status status-" + s, statusLabel(s)), el("span", "facet-count", ` ${counts.status.get(s) || 0}`));
    fs.append(label);
  }
  const all = el("button", "link-button", T.search_include_all);
  all.type = "button";
  all.dataset.key = "all";
  all.hidden = state.status === "all";
  all.addEventListener("click", () => { state.status = "all"; update(); });
  fs.append(all);
  box.append(fs);
  for (const f of ["issuer", "level", "category"]) {
    if (!counts[f].size && !state[f]) continue;
    const label = el("label", "facet-select", T[f]);
    const select = el("select");
    select.name = f;
    select.append(new Option(T.all, ""));
    for (const [value, c] of [...counts[f]].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      select.append(new Option(`${value} (${c})`, value, false, value === state[f]));
    }
    if (state[f] && !counts[f].has(state[f])) select.append(new Option(`${state[f]} (0)`, state[f], false, true));
    select.dataset.key = f;
    // Arrow keys only move the choice; Enter or leaving the list applies it.
    let keyed = false;
    const apply = () => { keyed = false; if ((select.value || null) !== state[f]) { state[f] = select.value || null; update(); } };
    select.addEventListener("keydown", (e) => { if (e.key.startsWith("Arrow")) keyed = true; else if (e.key === "Enter") apply(); });
    select.addEventListener("change", () => { if (!keyed) apply(); });
    select.addEventListener("blur", () => { if (keyed) apply(); });
    label.append(select);
    box.append(label);
  }
  const years = el("div", "year-range");
  years.append(el("span", null, T.search_years));
  for (const k of ["from", "to"]) {
    const y = el("input");
    y.dataset.key = "year-" + k;
    y.type = "number"; y.min = 1900; y.max = 2100; y.name = k; y.placeholder = k === "from" ? "1949" : "2026";
    y.setAttribute("aria-label", T["search_year_" + k]);
    y.value = state[k] ?? "";
    y.addEventListener("change", () => { state[k] = y.value ? +y.value : null; update(); });
    years.append(y);
    if (k === "from") years.append("–");
  }
  box.append(years);
}

/** The filter panel: beside the results on a wide screen, a collapsed
 * disclosure above them on a narrow one. */
const panel = document.getElementById("search-filter-panel");
const wide = matchMedia("(min-width: 52.01rem)");

function bindForm() {
  panel.open = wide.matches;
  wide.addEventListener("change", () => { panel.open = wide.matches; });
  input.value = state.q;
  const scope = document.getElementById("search-scope");
  scope.checked = state.scope === "title";
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = input.value; update(); }, 200);
  });
  scope.addEventListener("change", () => { state.scope = scope.checked ? "title" : null; update(); });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    state.q = input.value;
    update();
  });
  document.getElementById("search-more").addEventListener("click", more);
  document.addEventListener("keydown", keyboard);
}

/** Arrow keys move between results; Escape returns to the search box; "/" focuses it. */
function keyboard(e) {
  const links = [...document.querySelectorAll("#search-results .result-title")];
  const at = links.indexOf(document.activeElement);
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    if (!links.length || (at < 0 && document.activeElement !== input)) return;
    e.preventDefault();
    const next = e.key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : at - 1;
    (next < 0 ? input : links[next]).focus();
  } else if (e.key === "Escape" && at >= 0) {
    input.focus();
  } else if (e.key === "/" && document.activeElement.tagName !== "INPUT") {
    e.preventDefault();
    input.focus();
  }
}

app.hidden = false;
bindForm();
update();
