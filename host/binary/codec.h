/* The WhatsApp binary node codec: bytes <-> wb_node trees (node.h). Sans-I/O; callers are the
 * client and simulator (one call per Noise-decrypted frame), the CLI and the tests.
 *
 * A transport payload is one flag byte followed by the node bytes; flag & 2 means the node
 * bytes are zlib-compressed. The codec speaks dictionary version 3 (token.h).
 *
 * Decoding is strict and bounded: every problem is a specific negative code with the byte
 * offset and a sentence in the optional wb_error (the offset counts from the start of the
 * buffer given; for a compressed payload it is the offset in the inflated bytes, and the
 * sentence says so). Nothing is read outside the input. Limits: payloads and inflated payloads
 * of at most WB_NODE_MAX_PAYLOAD bytes, nesting (child lists and JIDs inside JIDs) of at most
 * WB_NODE_MAX_DEPTH levels, at most WB_NODE_MAX_NODES nodes and WB_NODE_MAX_TREE bytes of
 * decoded tree per payload. Strings are rendered as Baileys renders them (JIDs as
 * `user:device@server`, FB_JID as `user:device@server`, INTEROP_JID as
 * `integrator-user:device@server`, AD_JID device 0 without `:0`).
 *
 * Encoding writes each string in the first form that applies, as Baileys does: single-byte
 * token, double-byte token, NIBBLE_8 (only 0-9 - . and at most 127 bytes), HEX_8 (0-9 A-F, at
 * most 127), a JID (a string containing '@'), raw BINARY_n. For JIDs the output is byte-for-byte
 * Baileys' wherever Baileys' own decoder gives the string back; where Baileys would change the
 * string (a device over 255, an agent, a device on a server without AD_JID), the encoder keeps
 * it intact instead: FB_JID for `user:device@msgr`, INTEROP_JID for
 * `integrator-user:device@interop`, otherwise JID_PAIR of the whole user part and the server.
 * AD_JID is written for `user:device@server` with server s.whatsapp.net, lid, hosted or
 * hosted.lid (device 0 included, as Baileys does; whatsmeow writes JID_PAIR there, and both
 * decoders accept both forms). */
#ifndef WB_BINARY_CODEC_H
#define WB_BINARY_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#define WB_NODE_MAX_PAYLOAD ((size_t)16 << 20) /* bytes of a payload, compressed or not */
#define WB_NODE_MAX_DEPTH 64                   /* nesting levels */
#define WB_NODE_MAX_NODES ((size_t)1 << 20)    /* nodes in one payload */
#define WB_NODE_MAX_TREE ((size_t)64 << 20)    /* arena bytes of one decoded tree */

/* The payload flag bit for zlib-compressed node bytes. */
#define WB_NODE_FLAG_COMPRESSED 2

/* Decodes node bytes (no flag byte) into a tree allocated from a. On success *out is the root
 * and 0 is returned; the whole input must be one node. On failure returns WB_ETRUNC (input
 * ended early), WB_EMALFORMED (a byte that does not fit the format: unknown tag, bad nibble,
 * invalid node or JID), WB_ETOOBIG (a list longer than the input, too many nodes, a tree too
 * large), WB_EDEPTH or WB_ENOMEM, with err (if not NULL) filled. Allocations made before a
 * failure stay in the arena until it is reset. */
int wb_node_decode(wb_arena *a, const uint8_t *p, size_t len, wb_node **out, wb_error *err);

/* Decodes a transport payload: the flag byte, then node bytes, inflated first when the flag
 * says so (WB_ETOOBIG when the inflated size would exceed WB_NODE_MAX_PAYLOAD; WB_EMALFORMED or
 * WB_ETRUNC for a bad zlib stream). Error offsets of an uncompressed payload count the flag
 * byte. */
int wb_node_decode_payload(wb_arena *a, const uint8_t *p, size_t len, wb_node **out,
                           wb_error *err);

/* Appends the node bytes of n (no flag byte) to out. Returns 0, or WB_EINVAL (NULL node, empty
 * tag), WB_ENOMEM (a builder or out failed to allocate; out may hold a partial encoding past its
 * old length, which the caller discards), WB_ETOOBIG (more than 65535 children or list items,
 * output over WB_NODE_MAX_PAYLOAD) or WB_EDEPTH (deeper than WB_NODE_MAX_DEPTH). */
int wb_node_encode(const wb_node *n, wb_buf *out);

/* Appends an uncompressed transport payload: the flag byte 0, then the node bytes. */
int wb_node_encode_payload(const wb_node *n, wb_buf *out);

#endif
