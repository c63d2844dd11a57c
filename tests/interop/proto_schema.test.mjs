// wabot's proto/*.proto against WhatsApp's schema (Baileys' WAProto.proto): every message, field
// and enum value we declare must exist there with the same number, type, repeated-ness and
// packing, so drift is caught. Also the rules the C side relies on: proto2 (explicit presence, so
// zeros reach the wire), no oneofs or maps (wb_proto.h's reflection does not handle them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import protobuf from 'protobufjs'
import { loadOurs, loadWAProto, ourProtoFiles, readText } from './lib/protoschema.mjs'

const ours = loadOurs()
const theirs = loadWAProto()
const theirName = (fullName) => fullName.replace(/^\.wa\./, '.proto.')
const PACKABLE = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32',
  'fixed64', 'sfixed32', 'sfixed64', 'float', 'double', 'bool'])

function compareType (t, problems, counts) {
  const w = theirs.lookup(theirName(t.fullName))
  if (!(w instanceof protobuf.Type)) return problems.push(`${t.fullName}: no such message in WAProto`)
  counts.messages++
  for (const f of t.fieldsArray) {
    counts.fields++
    const where = `${t.fullName}.${f.name}`
    const g = w.fields[f.name]
    if (!g) { problems.push(`${where}: no such field in WAProto`); continue }
    if (f.id !== g.id) problems.push(`${where}: number ${f.id}, WAProto ${g.id}`)
    const ft = f.resolvedType ? theirName(f.resolvedType.fullName) : f.type
    const gt = g.resolvedType ? g.resolvedType.fullName : g.type
    if (ft !== gt) problems.push(`${where}: type ${ft}, WAProto ${gt}`)
    if (f.repeated !== g.repeated) problems.push(`${where}: repeated ${f.repeated}, WAProto ${g.repeated}`)
    const packable = PACKABLE.has(f.type) || f.resolvedType instanceof protobuf.Enum
    if (f.repeated && packable && f.packed !== g.packed) {
      problems.push(`${where}: packed ${f.packed}, WAProto ${g.packed}`)
    }
    if (f.map || f.partOf) problems.push(`${where}: maps and oneofs are not supported by wb_proto.h`)
    if (f.required) problems.push(`${where}: required fields are not used (WhatsApp's schema is proto3)`)
  }
}

function compareEnum (e, problems, counts) {
  const w = theirs.lookup(theirName(e.fullName))
  if (!(w instanceof protobuf.Enum)) return problems.push(`${e.fullName}: no such enum in WAProto`)
  counts.enums++
  for (const [name, value] of Object.entries(e.values)) {
    counts.values++
    if (!(name in w.values)) problems.push(`${e.fullName}.${name}: no such value in WAProto`)
    else if (w.values[name] !== value) problems.push(`${e.fullName}.${name} = ${value}, WAProto ${w.values[name]}`)
  }
}

function walk (ns, problems, counts) {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Type) compareType(o, problems, counts)
    else if (o instanceof protobuf.Enum) compareEnum(o, problems, counts)
    if (o.nestedArray) walk(o, problems, counts)
  }
}

test('every message, field and enum value of proto/ matches WAProto', (t) => {
  const problems = []
  const counts = { messages: 0, fields: 0, enums: 0, values: 0 }
  walk(ours.lookup('wa'), problems, counts)
  assert.deepEqual(problems, [])
  t.diagnostic(`checked ${counts.messages} messages, ${counts.fields} fields, ${counts.enums} enums, ${counts.values} enum values`)
  assert.ok(counts.messages > 100 && counts.fields > 700, 'the schema walk saw the whole subset')
})

test('every proto/ file is proto2 in package wa', () => {
  for (const file of ourProtoFiles()) {
    const text = readText(file)
    assert.match(text, /^syntax = "proto2";$/m, file)
    assert.match(text, /^package wa;$/m, file)
  }
})

test('the check notices drift: a renumbered field, a wrong type, packing, an enum value', () => {
  const root = new protobuf.Root()
  protobuf.parse(`syntax = "proto2"; package wa;
    message MessageKey { optional string remoteJid = 5; optional int32 fromMe = 2; }
    message ADVKeyIndexList { repeated uint32 validIndexes = 4; }
    enum ADVEncryptionType { E2EE = 0; HOSTED = 2; }`, root, { keepCase: true })
  root.resolveAll()
  const problems = []
  walk(root.lookup('wa'), problems, { messages: 0, fields: 0, enums: 0, values: 0 })
  assert.deepEqual(problems, [
    '.wa.MessageKey.remoteJid: number 5, WAProto 1',
    '.wa.MessageKey.fromMe: type int32, WAProto bool',
    '.wa.ADVKeyIndexList.validIndexes: packed false, WAProto true',
    '.wa.ADVEncryptionType.HOSTED = 2, WAProto 1'
  ])
})
