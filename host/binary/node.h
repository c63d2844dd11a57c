/* Nodes: the stanza tree of the WhatsApp binary format (tag, attributes, content), how to build
 * one, how to read one, and the attribute reader. Used by everything that speaks stanzas: the
 * client, the simulator, the CLI. The codec is in codec.h, the JSON form in json.h.
 *
 * Memory: every node and every string, attribute array and byte payload of a tree lives in one
 * wb_arena (core/arena.h); the tree is freed by resetting or freeing the arena. Nodes remember
 * their arena, so builders need it only to create the first node. Strings handed to builders
 * are copied; strings in a tree are NUL-terminated and also carry their length (a decoded value
 * may contain NUL bytes; its length is authoritative).
 *
 * Content is one of: nothing, a list of child nodes (possibly empty), bytes (BINARY_n on the
 * wire), or text (any other string form on the wire: a token, packed digits or hex, a JID).
 * Attribute values are strings; JIDs are stored in their string form (`15550001111:1@s.whatsapp.net`)
 * and the encoder writes any string that parses as a JID as a JID (see codec.h).
 *
 * Building never fails loudly: on allocation failure a builder returns NULL (given a NULL node
 * it does nothing and returns NULL) and marks the node it was working on broken, which makes
 * the encoder refuse the tree with WB_ENOMEM. So build a whole stanza, then check once:
 *
 *     wb_node *iq = WB_NODE(a, "iq", {"id", id}, {"type", "get"}, {"xmlns", "w:p"},
 *                           {"to", "@s.whatsapp.net"});
 *     wb_node_add_new(iq, "ping");
 *     if ((rc = wb_node_encode_payload(iq, &out)) < 0) ...
 *
 * Reading: wb_node_attr() and wb_node_child() for one value; the attribute reader wb_attrs for
 * several values checked once (see the end of this file). */
#ifndef WB_BINARY_NODE_H
#define WB_BINARY_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "binary/jid.h"
#include "core/arena.h"
#include "core/err.h"

typedef enum wb_content_kind {
    WB_CONTENT_NONE = 0,  /* no content */
    WB_CONTENT_NODES = 1, /* kids[0..nkids) (nkids may be 0: an empty list) */
    WB_CONTENT_BYTES = 2, /* data[0..data_len), BINARY_n on the wire */
    WB_CONTENT_TEXT = 3,  /* data[0..data_len) as a string: token, packed, JID on the wire */
} wb_content_kind;

typedef struct wb_attr {
    const char *key; /* NUL-terminated */
    const char *value;
    uint32_t key_len;
    uint32_t value_len;
} wb_attr;

typedef struct wb_node {
    const char *tag; /* never empty in a valid node */
    wb_attr *attrs;
    union {
        struct wb_node **kids; /* kind NODES */
        const uint8_t *data;   /* kind BYTES and TEXT; NUL-terminated after data_len bytes */
    };
    union {
        struct {
            uint32_t nkids, kids_cap; /* kind NODES */
        };
        size_t data_len; /* kind BYTES and TEXT */
    };
    wb_arena *arena; /* where the node's parts live */
    uint32_t tag_len;
    uint32_t nattrs, attrs_cap;
    uint8_t kind;  /* wb_content_kind: says which member of the unions is live */
    uint8_t flags; /* WB_NODE_BROKEN */
} wb_node;

/* Set on a node when a builder could not allocate; the encoder then fails with WB_ENOMEM. */
#define WB_NODE_BROKEN 1

/* ---- building ------------------------------------------------------------------------------ */

/* A new node with a copy of tag and no attributes or content. NULL on allocation failure. */
wb_node *wb_node_new(wb_arena *a, const char *tag);

/* An attribute for WB_NODE / wb_node_new_kv; a NULL value means "leave this attribute out". */
typedef struct wb_kv {
    const char *key;
    const char *value;
} wb_kv;

/* A new node with the attributes kv[0..n) (in that order; NULL values skipped). */
wb_node *wb_node_new_kv(wb_arena *a, const char *tag, const wb_kv *kv, size_t n);
/* WB_NODE(arena, tag, {key, value}...): a node with attributes (at least one pair; use
 * wb_node_new for none). */
#define WB_NODE(a, tag, ...)                                                                       \
    wb_node_new_kv((a), (tag), (const wb_kv[]){{0, 0}, __VA_ARGS__} + 1,                          \
                   sizeof((const wb_kv[]){{0, 0}, __VA_ARGS__}) / sizeof(wb_kv) - 1)

/* Appends child to parent's children (parent's content becomes a node list if it was not).
 * Returns child. A NULL child marks parent broken. */
wb_node *wb_node_add(wb_node *parent, wb_node *child);
/* Creates a node and appends it: returns the new child (or NULL). */
wb_node *wb_node_add_new(wb_node *parent, const char *tag);
wb_node *wb_node_add_kv(wb_node *parent, const char *tag, const wb_kv *kv, size_t n);
/* WB_CHILD(parent, tag, {key, value}...): wb_node_add_kv with a literal list of pairs. */
#define WB_CHILD(parent, tag, ...)                                                                 \
    wb_node_add_kv((parent), (tag), (const wb_kv[]){{0, 0}, __VA_ARGS__} + 1,                     \
                   sizeof((const wb_kv[]){{0, 0}, __VA_ARGS__}) / sizeof(wb_kv) - 1)

/* Sets attribute key to a copy of value, replacing an existing one with that key in place, else
 * appending. A NULL value removes the attribute. Returns n. */
wb_node *wb_node_set(wb_node *n, const char *key, const char *value);
/* The same with an explicit value length (the value may contain NUL bytes). */
wb_node *wb_node_setn(wb_node *n, const char *key, const char *value, size_t len);
/* The value printf-formatted. */
wb_node *wb_node_setf(wb_node *n, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends an attribute without looking for one with the same key (a decoded node may repeat a
 * key; this keeps such a node's shape). Copies both. Returns n. */
wb_node *wb_node_append_attrn(wb_node *n, const char *key, size_t key_len, const char *value,
                              size_t value_len);
/* A decimal integer value. */
wb_node *wb_node_set_i64(wb_node *n, const char *key, int64_t v);
/* A JID value (its string form; an empty JID removes the attribute). */
wb_node *wb_node_set_jid(wb_node *n, const char *key, const wb_jid *jid);
/* Removes every attribute named key. Returns n. */
wb_node *wb_node_unset(wb_node *n, const char *key);

/* Content: a copy of len bytes (BINARY_n on the wire). Replaces any previous content. */
wb_node *wb_node_set_bytes(wb_node *n, const void *p, size_t len);
/* Content: a copy of a string, written as a string on the wire (a token, packed, a JID or raw
 * bytes, whichever applies; a peer that decodes raw string content sees bytes). */
wb_node *wb_node_set_text(wb_node *n, const char *s);
wb_node *wb_node_set_textn(wb_node *n, const char *s, size_t len);
/* Content: an empty child list (written as LIST_EMPTY). */
wb_node *wb_node_set_empty_list(wb_node *n);
/* Removes the content. */
wb_node *wb_node_clear_content(wb_node *n);

/* A deep copy of n (and its subtree) into arena a. NULL on failure. */
wb_node *wb_node_clone(wb_arena *a, const wb_node *n);

/* ---- reading ------------------------------------------------------------------------------- */

/* 1 when n's tag is tag. NULL-safe (0). */
int wb_node_is(const wb_node *n, const char *tag);
/* The value of attribute key, or NULL. When a key repeats, the last one wins (as in Baileys). */
const char *wb_node_attr(const wb_node *n, const char *key);
/* The same, with the value's length in *len (may be NULL). */
const char *wb_node_attrn(const wb_node *n, const char *key, size_t *len);
/* 1 when attribute key is present and equal to value: wb_node_attr_is(iq, "type", "result"). */
int wb_node_attr_is(const wb_node *n, const char *key, const char *value);
/* The first child with tag (any child for tag NULL), or NULL. NULL-safe. */
wb_node *wb_node_child(const wb_node *n, const char *tag);
/* Follows a path of first children: wb_node_path(iq, "usync", "list", NULL). NULL-safe. */
wb_node *wb_node_path(const wb_node *n, ...) __attribute__((sentinel));
/* Iterates over the children with tag (all for NULL):
 *     uint32_t it = 0; wb_node *c;
 *     while ((c = wb_node_next(list, "user", &it))) ...                                       */
wb_node *wb_node_next(const wb_node *n, const char *tag, uint32_t *it);
/* Number of children with tag (all for NULL). */
uint32_t wb_node_count(const wb_node *n, const char *tag);
/* The content as bytes (BYTES or TEXT), with its length; NULL when the node has no such content.
 * The result is NUL-terminated, so text can be used as a C string. */
const uint8_t *wb_node_content(const wb_node *n, size_t *len);

/* ---- the attribute reader (read attributes and children, then check once) --------------------
 *
 *     wb_attrs a = wb_attrs_of(node);
 *     wb_jid from = wb_attrs_jid(&a, "from");
 *     const char *id = wb_attrs_str(&a, "id");
 *     int64_t t = wb_attrs_i64(&a, "t");
 *     const char *type = wb_attrs_opt_str(&a, "type");      // NULL when absent
 *     if (!wb_attrs_ok(&a)) return wb_attrs_err(&a);         // wb_attrs_errmsg(&a) says which
 *
 * A required getter records an error when the attribute is missing (WB_EPROTO) or does not
 * parse (WB_EMALFORMED); an optional getter only when it is present but does not parse. Only
 * the first error is kept. After an error, getters still return their neutral value (NULL,
 * the empty JID, 0, the default). The same reader takes a node's children's contents
 * (wb_attrs_child_bytes: a <value> of 32 bytes, a 3-byte <id>), as stanzas carry keys that way. */
typedef struct wb_attrs {
    const wb_node *node;
    int err;       /* 0 or the first error */
    char msg[128]; /* the first error as a sentence: "message: missing attribute 'id'" */
} wb_attrs;

wb_attrs wb_attrs_of(const wb_node *n);
const char *wb_attrs_str(wb_attrs *a, const char *key);
const char *wb_attrs_opt_str(wb_attrs *a, const char *key);
wb_jid wb_attrs_jid(wb_attrs *a, const char *key);
wb_jid wb_attrs_opt_jid(wb_attrs *a, const char *key); /* the empty JID when absent */
int64_t wb_attrs_i64(wb_attrs *a, const char *key);
int64_t wb_attrs_opt_i64(wb_attrs *a, const char *key, int64_t dflt);
uint64_t wb_attrs_u64(wb_attrs *a, const char *key);
uint64_t wb_attrs_opt_u64(wb_attrs *a, const char *key, uint64_t dflt);
/* "true"/"false" (also "1"/"0", as whatsmeow accepts). */
int wb_attrs_bool(wb_attrs *a, const char *key);
int wb_attrs_opt_bool(wb_attrs *a, const char *key, int dflt);
/* Children read the same way: the content (bytes or text) of n's first child named tag.
 * len > 0 requires exactly len bytes; len 0 takes any length, which *got (may be NULL) receives.
 * The required getter records "missing child <tag>" (WB_EPROTO) when the child or its content
 * is absent; both record a wrong length (WB_EMALFORMED). They return NULL on any error. */
const uint8_t *wb_attrs_child_bytes(wb_attrs *a, const char *tag, size_t len, size_t *got);
const uint8_t *wb_attrs_opt_child_bytes(wb_attrs *a, const char *tag, size_t len, size_t *got);
/* The big-endian unsigned number in exactly len (1..8) bytes of child tag (prekey ids are 3
 * bytes, registration ids 4). Returns 0 after an error; the optional form returns dflt when the
 * child is absent. */
uint64_t wb_attrs_child_uint(wb_attrs *a, const char *tag, size_t len);
uint64_t wb_attrs_opt_child_uint(wb_attrs *a, const char *tag, size_t len, uint64_t dflt);

/* 1 when no getter failed. */
int wb_attrs_ok(const wb_attrs *a);
/* 0, or the first error code. */
int wb_attrs_err(const wb_attrs *a);
/* The first error as a sentence ("" when none). */
const char *wb_attrs_errmsg(const wb_attrs *a);
/* 0 when no getter failed, else the first error code, with its sentence copied into err (may be
 * NULL): the one check at the end of a reader, `return wb_attrs_check(&a, err);`. */
int wb_attrs_check(const wb_attrs *a, wb_error *err);

#endif
