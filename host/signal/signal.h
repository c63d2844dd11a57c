/* The Signal protocol as WhatsApp uses it, interoperable with libsignal-node 6.0.0 (Baileys'
 * implementation) and Baileys' group cipher: X3DH from prekey bundles, the Double Ratchet with
 * "msg" and "pkmsg" messages (version 3, 8-byte MAC over both identity keys), sender keys for
 * groups ("skmsg" and distribution messages), WhatsApp's plaintext padding and address names.
 *
 * State lives in the SQLite store (store/signal_store.h): our identity, prekeys, one session
 * record per remote device, one sender-key record per (group, sender). Besides our own identity
 * key, a wb_signal keeps the decoded session records of its 32 most recent addresses, written
 * through: every call still writes its record in its transaction, and the cache is used only
 * while the store reports nothing else changed (wb_store_epoch: no rollback, no record written
 * other than by this wb_signal), so it never disagrees with the database. The Signal tables
 * must therefore be written only through signal_store.h on this process's connections, never by
 * another process while a wb_signal is open.
 *
 * Transactions. Every call that changes state runs in one store transaction of its own, nested
 * inside the caller's if one is open (store.h). A call that fails has rolled its level back: the
 * stored records are byte for byte what they were (skipped-key bookkeeping included). To make the
 * ratchet state and the caller's own rows (the received message) commit together or not at all:
 *
 *     wb_store_begin(st);
 *     rc = wb_signal_decrypt(sig, addr, WB_SIGNAL_PKMSG, ct, len, &pt, &info);
 *     if (rc == 0) rc = save_message_row(st, ...);
 *     if (rc == 0) rc = wb_store_commit(st); else wb_store_rollback(st);
 *     // only now, after the commit, send the receipt
 *
 * Identity keys: trust on first use, and changes reported, never silent. The first identity key
 * seen for an address is stored (event WB_SIGNAL_EV_IDENTITY_NEW). A different key arriving later,
 * in a pkmsg that decrypts or in a prekey bundle whose signature checks, replaces the stored one
 * and the call reports WB_SIGNAL_EV_IDENTITY_CHANGED with the old and new keys in wb_signal_info;
 * the message is still delivered (WhatsApp shows "security code changed", it does not block).
 * The client must turn that flag into an event. Sessions made under the old key stay archived so
 * late messages still decrypt.
 *
 * Bounds (so a record cannot grow without end, unlike libsignal-node's): at most
 * WB_SIGNAL_MAX_RECV_CHAINS receiving chains per session state, WB_SIGNAL_MAX_SKIPPED skipped
 * message keys per chain (the oldest evicted), messages at most WB_SIGNAL_MAX_FUTURE ahead of
 * their chain, WB_SIGNAL_MAX_PREV_STATES archived states per address, WB_SIGNAL_MAX_SENDER_STATES
 * sender keys per (group, sender) with the same skipped-key bound.
 *
 * Addresses are Signal address strings "user[_domain].device" (wb_signal_address); group ids are
 * the group JID strings ("123-456@g.us"). All functions return 0 or a negative code from
 * core/err.h; out-parameters are written only on success. A wb_signal is used from one thread. */
#ifndef WB_SIGNAL_SIGNAL_H
#define WB_SIGNAL_SIGNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

#define WB_SIGNAL_MAX_RECV_CHAINS 5
#define WB_SIGNAL_MAX_SKIPPED 2000
#define WB_SIGNAL_MAX_FUTURE 2000
#define WB_SIGNAL_MAX_PREV_STATES 10
#define WB_SIGNAL_MAX_SENDER_STATES 5
#define WB_SIGNAL_ADDR_MAX 160 /* longest address string, terminator included */

typedef struct wb_signal wb_signal;

/* ---- opening, our identity ------------------------------------------------------------------- */

/* Opens the Signal state in st (which the caller keeps open until wb_signal_close). On first use
 * it creates our identity: a Curve25519 identity key pair, a 14-bit registration id (1..16380)
 * and signed prekey 1. Returns 0 and *out, or WB_ESTORE / WB_ENOMEM / WB_ECRYPTO / WB_EMALFORMED
 * (a damaged identity row). */
int wb_signal_open(wb_signal **out, wb_store *st);
void wb_signal_close(wb_signal *s);

uint32_t wb_signal_registration_id(const wb_signal *s);
/* Our identity public key (32 bytes, without the 0x05 type byte). */
const uint8_t *wb_signal_identity_public(const wb_signal *s);
/* Signs msg with our identity key (XEdDSA), e.g. for the ADV device signature at pairing. */
int wb_signal_identity_sign(const wb_signal *s, const uint8_t *msg, size_t len, uint8_t sig[64]);
/* X25519 of our identity key with pub, e.g. for the pairing-code adv secret (wa/pair_code.h). */
int wb_signal_identity_agree(const wb_signal *s, const uint8_t pub[32], uint8_t shared[32]);

/* ---- prekeys: generation and upload ---------------------------------------------------------- */

typedef struct wb_signal_prekey {
    uint32_t id; /* 24-bit, 1..0xFFFFFE, wrapping to 1 after 0xFFFFFE as WhatsApp's do */
    uint8_t pub[32];
} wb_signal_prekey;

typedef struct wb_signal_signed_prekey {
    uint32_t id;
    uint8_t pub[32];
    uint8_t signature[64]; /* XEdDSA by our identity key over 0x05 || pub */
} wb_signal_signed_prekey;

/* Fills out[0..count) with one-time prekeys not yet uploaded, generating (and storing) new ones
 * as needed, ids continuing from the last generated. *n receives how many (count, unless count is
 * 0). WhatsApp's first upload is 812 keys, later ones 5 (Baileys) or 50 (whatsmeow). */
int wb_signal_prekeys_for_upload(wb_signal *s, unsigned count, wb_signal_prekey *out, unsigned *n);
/* Marks those keys uploaded, after the server acknowledged the upload. */
int wb_signal_prekeys_mark_uploaded(wb_signal *s, const wb_signal_prekey *keys, unsigned n);
/* How many one-time prekeys are stored (uploaded_only: only those marked uploaded), or an error. */
int wb_signal_prekeys_count(wb_signal *s, int uploaded_only);
/* The current signed prekey, for the upload's <skey>. */
int wb_signal_signed_prekey_current(wb_signal *s, wb_signal_signed_prekey *out);
/* Checks a signed prekey's signature: XEdDSA by identity over 0x05 || pub, as libsignal signs
 * it (registration payloads, prekey uploads and bundles all carry one). Returns 0 or
 * WB_EBADSIG. */
int wb_signal_verify_signed_prekey(const uint8_t identity[32], const uint8_t pub[32],
                                   const uint8_t sig[64]);
/* Makes a new signed prekey current (the next id). The previous one is kept, so pkmsgs built on
 * it still decrypt; older ones are deleted. */
int wb_signal_signed_prekey_rotate(wb_signal *s, wb_signal_signed_prekey *out);

/* ---- 1:1 sessions ---------------------------------------------------------------------------- */

/* A remote device's prekey bundle, as the server's <key> answer carries it (keys without 0x05). */
typedef struct wb_signal_bundle {
    uint32_t registration_id;
    uint8_t identity[32];
    uint32_t signed_prekey_id;
    uint8_t signed_prekey[32];
    uint8_t signed_prekey_signature[64];
    int has_prekey; /* a one-time prekey is optional */
    uint32_t prekey_id;
    uint8_t prekey[32];
} wb_signal_bundle;

enum {
    WB_SIGNAL_MSG = 1,   /* <enc type="msg">: a SignalMessage on an existing session */
    WB_SIGNAL_PKMSG = 3, /* <enc type="pkmsg">: a PreKeySignalMessage that may start one */
};

/* Event bits reported in wb_signal_info.events. */
enum {
    WB_SIGNAL_EV_IDENTITY_NEW = 1 << 0,     /* first identity key stored for this address */
    WB_SIGNAL_EV_IDENTITY_CHANGED = 1 << 1, /* a different key replaced the stored one */
    WB_SIGNAL_EV_NEW_SESSION = 1 << 2,      /* a new session became current (old one archived) */
    WB_SIGNAL_EV_OLD_SESSION = 1 << 3,      /* decrypted with an archived session */
    WB_SIGNAL_EV_PREKEY_USED = 1 << 4,      /* a one-time prekey was consumed (prekey_id) */
};

typedef struct wb_signal_info {
    unsigned events;          /* WB_SIGNAL_EV_* bits */
    uint32_t prekey_id;       /* with WB_SIGNAL_EV_PREKEY_USED */
    uint8_t old_identity[32]; /* with WB_SIGNAL_EV_IDENTITY_CHANGED */
    uint8_t identity[32];     /* the remote identity now stored */
} wb_signal_info;

/* Builds a session with addr from its bundle (X3DH as initiator). The signed prekey's signature
 * is checked (WB_EBADSIG), unlike libsignal-node; a key not canonically encoded is WB_EMALFORMED. An existing session is archived. The next
 * wb_signal_encrypt gives a pkmsg, until the first message from the peer arrives. info (optional)
 * gets the identity events. */
int wb_signal_session_from_bundle(wb_signal *s, const char *addr, const wb_signal_bundle *b,
                                  wb_signal_info *info);
/* 1 if addr has a current session, 0 if not, or an error. */
int wb_signal_has_session(wb_signal *s, const char *addr);
/* Forgets every session with addr. */
int wb_signal_delete_session(wb_signal *s, const char *addr);

/* Encrypts len bytes (already padded: wb_signal_pad) for addr, appending the message to out and
 * setting *type to WB_SIGNAL_PKMSG or WB_SIGNAL_MSG. WB_ENOTFOUND if there is no session. */
int wb_signal_encrypt(wb_signal *s, const char *addr, const uint8_t *pt, size_t len, wb_buf *out,
                      int *type);

/* Decrypts a msg or pkmsg from addr, appending the plaintext (still padded) to pt. On success the
 * session state has been written inside the current transaction (see above) and info (optional)
 * reports events. Errors, each leaving the stored state untouched:
 *   WB_EDUPLICATE    the message's key was already used: a replay or a redelivery (a msg on a
 *                    chain older than the state remembers, WB_SIG_MAX_RETIRED steps back, can
 *                    only be told from a forgery by its MAC: WB_EAUTH)
 *   WB_EAUTH         the MAC or the padding does not check with any session state
 *   WB_ENOTFOUND     no session (msg), or the pkmsg names a prekey we do not have
 *   WB_EUNSUPPORTED  a version byte other than 0x33
 *   WB_EMALFORMED / WB_ETRUNC  undecodable bytes, or a public key not canonically encoded
 *   WB_ERANGE        the message is more than WB_SIGNAL_MAX_FUTURE ahead of its chain
 *   WB_EPROTO        the peer referred to a chain it had already closed
 *   WB_ECRYPTO       a ratchet key of low order
 *   WB_ESTORE        the database failed */
int wb_signal_decrypt(wb_signal *s, const char *addr, int type, const uint8_t *ct, size_t len,
                      wb_buf *pt, wb_signal_info *info);

/* ---- groups (sender keys) -------------------------------------------------------------------- */

/* Our SenderKeyDistributionMessage for group, to send to members that lack it inside 1:1
 * messages (Message.senderKeyDistributionMessage). Creates our sender key for the group on first
 * use. self is our own Signal address. Appends the serialized message to out. */
int wb_signal_group_distribution(wb_signal *s, const char *group, const char *self, wb_buf *out);
/* Encrypts (padded) plaintext for group with our sender key, creating it if needed; appends the
 * skmsg to out. */
int wb_signal_group_encrypt(wb_signal *s, const char *group, const char *self, const uint8_t *pt,
                            size_t len, wb_buf *out);
/* Stores a member's sender key from its distribution message. A message repeating a key we hold
 * (same id and signing key) changes nothing, so it cannot rewind the chain. */
int wb_signal_group_process_distribution(wb_signal *s, const char *group, const char *sender,
                                         const uint8_t *skdm, size_t len);
/* Decrypts an skmsg from sender in group, appending the (padded) plaintext to pt. Errors as for
 * wb_signal_decrypt, plus WB_EBADSIG for a bad signature; WB_ENOTFOUND when we have no sender
 * key with the message's id (the sender must send its distribution message). */
int wb_signal_group_decrypt(wb_signal *s, const char *group, const char *sender,
                            const uint8_t *ct, size_t len, wb_buf *pt);

/* Checking group signatures ahead of decryption. A group message's signature (its sender key
 * signs each one) costs ~40 us of Ed25519, more than the rest of its decryption; the signatures
 * of a burst can be checked on several cores (core/parallel.h) before the messages are
 * decrypted one by one. wb_signal_group_check_prepare finds the key that must have signed ct
 * (it reads the store: the caller's thread); wb_signal_group_check_run checks the signature
 * (pure: any thread); wb_signal_group_decrypt_checked skips its own check only when the state it
 * decrypts with has that same key and the check passed for these same bytes. Nothing else
 * changes what is accepted: a message whose sender key changed in between, or had none yet (its
 * distribution message arrived in the same burst), is checked as wb_signal_group_decrypt does. */
typedef struct wb_signal_group_check {
    const uint8_t *ct;  /* the skmsg, not copied: it must outlive the check's use */
    size_t len;
    uint8_t signing_pub[32];
    int ready;          /* prepare found the sender key state the message names */
    int ok;             /* run: the signature verifies */
    atomic_int done;    /* run has finished (set last, with release order: ok is then valid) */
} wb_signal_group_check;
/* Fills chk; chk->ready says whether there is a check to run. Never fails: whatever is wrong
 * with the message or the store, decrypting it reports. */
void wb_signal_group_check_prepare(wb_signal *s, const char *group, const char *sender,
                                   const uint8_t *ct, size_t len, wb_signal_group_check *chk);
void wb_signal_group_check_run(wb_signal_group_check *chk);
/* wb_signal_group_decrypt, trusting chk (may be NULL) as described above. */
int wb_signal_group_decrypt_checked(wb_signal *s, const char *group, const char *sender,
                                    const uint8_t *ct, size_t len,
                                    const wb_signal_group_check *chk, wb_buf *pt);
/* Drops our sender key for group (after a member left), so the next message starts a new one. */
int wb_signal_group_reset(wb_signal *s, const char *group, const char *self);

/* ---- WhatsApp framing ------------------------------------------------------------------------ */

/* Appends msg and 1..16 random padding bytes, each equal to the pad length, to out. */
int wb_signal_pad(wb_buf *out, const uint8_t *msg, size_t len);
/* The length of msg without its padding: the last byte n must be 1..len and the last n bytes
 * all equal n (whatsmeow's check). Returns the length or WB_EMALFORMED. */
long wb_signal_unpad(const uint8_t *msg, size_t len);

/* Writes the Signal address of a device into out (WB_SIGNAL_ADDR_MAX bytes): "user.device", or
 * "user_domain.device" when domain (the JID's domain type: 1 lid, 128 hosted, 129 hosted lid) is
 * not 0, as Baileys' jidToSignalProtocolAddress. Returns 0 or WB_EINVAL (empty user, or one with
 * '.', '_' or control characters, or too long). */
int wb_signal_address(char out[WB_SIGNAL_ADDR_MAX], const char *user, unsigned domain,
                      unsigned device);
/* 1 if addr is a well-formed address string, else 0. */
int wb_signal_address_valid(const char *addr);

#endif
