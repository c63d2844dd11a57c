/* Signal prekeys on the wire (NOTES §5, §6.1): the xmlns="encrypt" IQs and the notification
 * that asks a device for more keys. Both ends use these: the client builds uploads and fetch
 * requests and reads bundles; the simulator reads uploads and builds bundles.
 *
 *   upload   <iq xmlns="encrypt" type="set"><registration>u32</registration><type>05</type>
 *            <identity>32</identity><list><key><id>u24</id><value>32</value></key>...</list>
 *            <skey><id>u24</id><value>32</value><signature>64</signature></skey></iq>
 *   count    <iq xmlns="encrypt" type="get"><count/></iq>  ->  <count value="N"/>
 *   digest   <iq xmlns="encrypt" type="get"><digest/></iq> ->  <digest><registration/><type/>
 *            <identity/><skey/><hash>20</hash></digest>
 *   fetch    <iq xmlns="encrypt" type="get"><key><user jid [reason]/>...</key></iq>  ->
 *            <list><user jid><registration/><type/><identity/><skey/>[<key/>]</user>...</list>
 *   low      <notification type="encrypt" from="@s.whatsapp.net"><count value="N"/></notification>
 *
 * Keys travel without libsignal's 0x05 type byte; ids are big-endian (prekey ids 3 bytes,
 * registration ids 4). Nodes are built in the arena of the node given; readers copy what they
 * return, so the stanza may be freed afterwards. */
#ifndef WB_WA_PREKEYS_H
#define WB_WA_PREKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"
#include "signal/signal.h"

#define WB_WA_PREKEYS_INITIAL 812  /* the first upload (Baileys' INITIAL_PREKEY_COUNT) */
#define WB_WA_PREKEYS_MIN 5        /* at or below this the owner uploads more (MIN_PREKEY_COUNT) */
#define WB_WA_PREKEYS_UPLOAD_MAX 2000 /* keys one upload may carry (the simulator's bound) */

/* A device's keys as an upload carries them; an upload also carries one-time prekeys. */
typedef struct wb_wa_device_keys {
    uint32_t registration_id;
    uint8_t identity[32];
    wb_signal_signed_prekey skey;
} wb_wa_device_keys;

/* ---- building ------------------------------------------------------------------------------ */

/* Adds the upload's children to iq (an <iq xmlns="encrypt" type="set">): keys, then keys[0..n)
 * in <list>. */
void wb_wa_prekeys_upload_fill(wb_node *iq, const wb_wa_device_keys *k,
                               const wb_signal_prekey *keys, size_t n);
/* Adds <registration/><type/><identity/><skey/> (what uploads, bundles and digests share). */
void wb_wa_prekeys_keys_fill(wb_node *parent, const wb_wa_device_keys *k);
/* Adds a bundle's children to user (<user jid>): keys, then <key> when b has a one-time prekey. */
void wb_wa_prekeys_bundle_fill(wb_node *user, const wb_signal_bundle *b);
/* Adds <digest>: keys and <hash>, the first 20 bytes of SHA-256(identity || skey pub || sig). */
void wb_wa_prekeys_digest_fill(wb_node *parent, const wb_wa_device_keys *k);
/* Adds one <key><id>u24</id><value>32</value></key> (a one-time prekey) to parent. */
void wb_wa_prekeys_key_fill(wb_node *parent, const wb_signal_prekey *k);
/* Adds one <skey><id/><value/><signature/></skey> to parent. */
void wb_wa_prekeys_skey_fill(wb_node *parent, const wb_signal_signed_prekey *k);
/* <notification type="encrypt" from="@s.whatsapp.net" id t><count value=left/></notification> */
wb_node *wb_wa_prekeys_low_node(wb_arena *a, const char *id, int64_t t, int64_t left);

/* ---- reading ------------------------------------------------------------------------------- */

/* Reads the keys of an upload, bundle or digest node (registration, type 05, identity, skey)
 * and checks the signed prekey's signature. Returns 0, WB_EPROTO / WB_EMALFORMED (a missing or
 * wrong-sized part; err says which) or WB_EBADSIG. */
int wb_wa_prekeys_keys_read(const wb_node *n, wb_wa_device_keys *out, wb_error *err);
/* Reads a bare <skey> (a rotate carries one) and checks its signature by identity (identity
 * NULL: structure only, for the session layer to check). Returns 0, WB_EPROTO / WB_EMALFORMED or
 * WB_EBADSIG. */
int wb_wa_prekeys_skey_read(const wb_node *skey, const uint8_t identity[32],
                            wb_signal_signed_prekey *out, wb_error *err);
/* Reads one <key> (id and value). Returns 0 or WB_EPROTO / WB_EMALFORMED. */
int wb_wa_prekeys_key_read(const wb_node *key, wb_signal_prekey *out, wb_error *err);
/* Reads the one-time prekeys of an upload's <list>: calls fn for each (in order); stops at the
 * first non-zero return and returns it. WB_EPROTO for a malformed key, WB_ETOOBIG for more
 * than WB_WA_PREKEYS_UPLOAD_MAX. */
int wb_wa_prekeys_upload_each(const wb_node *iq, int (*fn)(void *ud, const wb_signal_prekey *k),
                              void *ud, wb_error *err);
/* Reads one <user> of a fetch answer into a bundle (structure only: the session layer checks the
 * signature). Returns 0, WB_EREFUSED (the user carries <error>: no bundle for that device) or
 * WB_EPROTO / WB_EMALFORMED. */
int wb_wa_prekeys_bundle_read(const wb_node *user, wb_signal_bundle *out, wb_error *err);
/* The value of <count value> under n (a count answer, a low-prekey notification), or -1. */
int64_t wb_wa_prekeys_count_of(const wb_node *n);

#endif
