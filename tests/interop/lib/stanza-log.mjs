// Reading `wabot sim --stanza-log` files: each line is `HH:MM:SS.mmm C>|S> LABEL <node ...>` (or
// `** LABEL event`), nodes printed by binary/print.h (`<tag k="v">...</tag>`, bytes as
// `[N bytes]`). parseNode turns the printed form back into {tag, attrs, kids, text}; shape()
// keeps only what a stanza's form is made of (tags and attribute names, siblings of one tag
// merged), so two clients' stanzas for the same action can be compared; diffShapes says where
// they differ.
import { readFileSync } from 'node:fs'

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' }
const unescape = (s) => s.replace(/&(amp|lt|gt|quot);/g, (m) => ENTITIES[m])

export function parseNode (text) {
  let i = 0
  const fail = (why) => { throw new Error(`${why} at ${i}: ${text.slice(i, i + 40)}`) }
  function node () {
    if (text[i] !== '<') fail('expected <')
    i++
    let tag = ''
    while (i < text.length && !' />'.includes(text[i])) tag += text[i++]
    const attrs = {}
    for (;;) {
      while (text[i] === ' ') i++
      if (text[i] === '/' && text[i + 1] === '>') { i += 2; return { tag, attrs, kids: [], text: null } }
      if (text[i] === '>') { i++; break }
      let key = ''
      while (i < text.length && text[i] !== '=') key += text[i++]
      if (text[i + 1] !== '"') fail('expected a quoted value')
      i += 2
      let v = ''
      while (i < text.length && text[i] !== '"') v += text[i++]
      i++
      attrs[unescape(key)] = unescape(v)
    }
    const kids = []
    let body = null
    if (text[i] === '<' && text[i + 1] !== '/') {
      while (text[i] === '<' && text[i + 1] !== '/') kids.push(node())
    } else {
      body = ''
      while (i < text.length && !(text[i] === '<' && text[i + 1] === '/')) body += text[i++]
      body = unescape(body)
    }
    const close = `</${tag}>`
    if (text.slice(i, i + close.length) !== close) fail(`expected ${close}`)
    i += close.length
    return { tag, attrs, kids, text: body }
  }
  return node()
}

// The log's stanza lines: [{ time, dir: 'C>'|'S>', label, node }] and event lines
// [{ time, label, event }].
export function readLog (path) {
  const stanzas = []
  const events = []
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let m = /^(\S+) (C>|S>) (\S+) (<.*)$/.exec(line)
    if (m) {
      stanzas.push({ time: m[1], dir: m[2], label: m[3], node: parseNode(m[4]) })
      continue
    }
    m = /^(\S+) \*\* (\S+) (.*)$/.exec(line)
    if (m) events.push({ time: m[1], label: m[2], event: m[3] })
  }
  return { stanzas, events }
}

// A node's form: { tag, attrs: Set of names, kids: Map tag -> form }, same-tag siblings merged;
// the simulator's "<... n=...>" stand-in for cut children is left out.
export function shape (n) {
  const s = { tag: n.tag, attrs: new Set(Object.keys(n.attrs)), kids: new Map() }
  for (const k of n.kids) {
    if (k.tag === '...') continue
    const ks = shape(k)
    const had = s.kids.get(k.tag)
    s.kids.set(k.tag, had ? merge(had, ks) : ks)
  }
  return s
}

function merge (a, b) {
  const out = { tag: a.tag, attrs: new Set([...a.attrs, ...b.attrs]), kids: new Map(a.kids) }
  for (const [t, k] of b.kids) out.kids.set(t, out.kids.has(t) ? merge(out.kids.get(t), k) : k)
  return out
}

// Where form b differs from form a: ["message/@phash: only in a", "receipt/list: only in b"].
export function diffShapes (a, b, path = a.tag, names = ['a', 'b']) {
  const out = []
  for (const k of a.attrs) if (!b.attrs.has(k)) out.push(`${path}/@${k}: only in ${names[0]}`)
  for (const k of b.attrs) if (!a.attrs.has(k)) out.push(`${path}/@${k}: only in ${names[1]}`)
  for (const [t, k] of a.kids) {
    if (!b.kids.has(t)) out.push(`${path}/${t}: only in ${names[0]}`)
    else out.push(...diffShapes(k, b.kids.get(t), `${path}/${t}`, names))
  }
  for (const t of b.kids.keys()) if (!a.kids.has(t)) out.push(`${path}/${t}: only in ${names[1]}`)
  return out
}
