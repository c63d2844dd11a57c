// Protobuf schemas for interop tests: wabot's proto/*.proto and Baileys' WAProto.proto loaded
// with protobufjs reflection, Baileys' generated WAProto classes, and a seeded generator of
// random messages that follows a reflected schema (so test coverage follows the .proto files).
//
// Objects are in the shape of protobufjs' toObject(msg, TO_OBJECT) - the same JSON wabot's
// wb_proto_json.h reads and writes: 64-bit integers as decimal strings, bytes as base64, enums as
// numbers, absent fields left out.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import protobuf from 'protobufjs'
import { repoRoot } from './paths.mjs'

export const protoDir = join(repoRoot, 'proto')
export const baileysDir = join(repoRoot, 'tests', 'interop', 'node_modules', '@whiskeysockets', 'baileys')
export const waProtoPath = join(baileysDir, 'WAProto', 'WAProto.proto')
export const TO_OBJECT = { longs: String, bytes: String, enums: Number, defaults: false }

export const ourProtoFiles = () =>
  readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort().map((f) => join(protoDir, f))

function loadRoot (files) {
  const root = new protobuf.Root()
  root.loadSync(files, { keepCase: true })
  root.resolveAll()
  return root
}

// wabot's schema (package wa) and WhatsApp's (package proto), as protobufjs reflection roots.
export const loadOurs = () => loadRoot(ourProtoFiles())
export const loadWAProto = () => loadRoot(waProtoPath)

// Baileys' generated classes (proto.Message.encode/decode/fromObject/toObject).
export async function baileysProto () {
  const mod = await import(new URL(`file://${join(baileysDir, 'WAProto', 'index.js')}`))
  return mod.proto
}

// The Baileys class for a type of ours: 'wa.Message.ImageMessage' -> proto.Message.ImageMessage.
export function baileysClass (proto, fullName) {
  let c = proto
  for (const part of fullName.replace(/^\.?wa\./, '').split('.')) c = c?.[part]
  if (!c?.encode) throw new Error(`Baileys has no class for ${fullName}`)
  return c
}

// Every message type (nested included) under a namespace.
export function allTypes (ns, out = []) {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Type) out.push(o)
    if (o.nestedArray) allTypes(o, out)
  }
  return out
}

export const readText = (path) => readFileSync(path, 'utf8')

// "Type.field" names of every field reachable from type t (the fields randomObject can cover),
// not looking inside the types in stop.
export function reachableFields (t, stop = new Set(), out = new Set(), seen = new Set()) {
  if (seen.has(t)) return out
  seen.add(t)
  for (const f of t.fieldsArray) {
    if (f.map) continue
    out.add(`${t.fullName}.${f.name}`)
    const sub = f.resolvedType
    if (sub instanceof protobuf.Type && !stop.has(sub)) reachableFields(sub, stop, out, seen)
  }
  return out
}

// ---- random messages ------------------------------------------------------------------------

// mulberry32: a small seeded PRNG, so a failing case can be replayed with PROTO_SEED.
export function makeRng (seed) {
  let a = seed >>> 0
  const rng = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  rng.int = (n) => Math.floor(rng() * n)
  rng.pick = (arr) => arr[rng.int(arr.length)]
  rng.u32 = () => (rng() * 4294967296) >>> 0
  rng.u64 = () => (BigInt(rng.u32()) << 32n) | BigInt(rng.u32())
  return rng
}

const CHARS = ['a', 'b', 'Z', '0', '9', ' ', '.', '@', 'é', 'ß', '中', '文', '😀', '👍🏽', '\n', '"', '\\', '/']
const U64_EDGES = ['0', '1', '18446744073709551615', '9223372036854775808']
const I64_EDGES = ['0', '-1', '9223372036854775807', '-9223372036854775808']

function randomScalar (type, rng) {
  const edge = rng() < 0.2
  switch (type) {
    case 'int32': case 'sint32': case 'sfixed32':
      return edge ? rng.pick([0, -1, 2147483647, -2147483648]) : (rng.u32() | 0)
    case 'uint32': case 'fixed32':
      return edge ? rng.pick([0, 1, 4294967295]) : rng.u32() >>> rng.int(32)
    case 'int64': case 'sint64': case 'sfixed64':
      return edge ? rng.pick(I64_EDGES) : ((rng() < 0.5 ? -1n : 1n) * (rng.u64() >> BigInt(1 + rng.int(63)))).toString()
    case 'uint64': case 'fixed64':
      return edge ? rng.pick(U64_EDGES) : (rng.u64() >> BigInt(rng.int(64))).toString()
    case 'bool':
      return rng() < 0.5
    case 'float':
      return edge ? 0 : Math.fround((rng() - 0.5) * 10 ** rng.int(8))
    case 'double':
      return edge ? rng.pick([0, 1e300, -2.5e-300]) : (rng() - 0.5) * 10 ** rng.int(12)
    case 'string': {
      let s = ''
      for (let n = rng.int(13); n > 0; n--) s += rng.pick(CHARS)
      return s
    }
    case 'bytes': {
      const b = Buffer.alloc(rng.int(34))
      for (let i = 0; i < b.length; i++) b[i] = rng.int(256)
      return b.toString('base64')
    }
  }
  throw new Error(`no generator for ${type}`)
}

function randomEnum (e, rng) {
  // Mostly named values; sometimes numbers the schema does not name (a future WhatsApp value).
  if (rng() < 0.15) return rng.pick([99, 1000 + rng.int(100000), -7])
  return rng.pick(Object.values(e.values))
}

const isRealOneof = (f) => f.partOf && !f.partOf.isProto3Optional && !f.partOf.name.startsWith('_')

// A random object of type t (a protobufjs Type). Options:
//   p        probability that an optional field is set (default 0.35)
//   maxDepth sub-messages are not generated below this depth (default 4)
//   decay    p is multiplied by this at each level down (default 0.7), so trees stay small
//   cover    a Set of "Type.field" already generated; fields not in it, and sub-messages that lead
//            to fields not in it, are always generated (and added), so a few calls cover a whole
//            schema
//   stop     a Set of types inside which cover does not apply (they are generated at random)
const reachableCache = new WeakMap() // stop set -> type -> reachable field names
const leadsToUncovered = (t, cover, stop) => {
  if (!reachableCache.has(stop)) reachableCache.set(stop, new WeakMap())
  const byType = reachableCache.get(stop)
  if (!byType.has(t)) byType.set(t, [...reachableFields(t, stop)])
  return byType.get(t).some((k) => !cover.has(k))
}

const NO_STOP = new Set()

export function randomObject (t, rng, opts = {}, depth = 0) {
  const { p = 0.35, maxDepth = 4, decay = 0.7, cover = null, stop = NO_STOP } = opts
  const obj = {}
  const oneofDone = new Set()
  for (const f of t.fieldsArray) {
    if (f.map) continue
    const isMsg = f.resolvedType instanceof protobuf.Type
    if (isMsg && depth >= maxDepth) continue
    const key = `${t.fullName}.${f.name}`
    const inside = isMsg && stop.has(f.resolvedType) ? null : cover
    const force = cover && (!cover.has(key) || (inside && isMsg && leadsToUncovered(f.resolvedType, cover, stop)))
    if (!force && rng() >= p) continue
    if (isRealOneof(f)) {
      if (oneofDone.has(f.partOf)) continue
      oneofDone.add(f.partOf)
    }
    cover?.add(key)
    const one = () => isMsg
      ? randomObject(f.resolvedType, rng, { p: p * decay, maxDepth, decay, cover: inside, stop }, depth + 1)
      : f.resolvedType instanceof protobuf.Enum ? randomEnum(f.resolvedType, rng) : randomScalar(f.type, rng)
    obj[f.name] = f.repeated ? Array.from({ length: 1 + rng.int(3) }, one) : one()
  }
  return obj
}
