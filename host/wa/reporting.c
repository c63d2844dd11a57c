/* Reporting tokens (reporting.h): the field selection, its extraction from the encoded Message,
 * the key derivation and the HMAC, as Baileys' reporting-utils computes them.
 *
 * The selection is a tree of field numbers: a leaf keeps the field's bytes as they are (tag and
 * value); a field with children (or marked a message) keeps only the selected fields of its
 * value, re-wrapped with its tag and a new length, and is dropped when none remain. Each level's
 * kept fields are put in field-number order (equal numbers keep their order). */
#include "wa/reporting.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "crypto/hash.h"

typedef struct field {
    uint32_t num;
    int message;                  /* a message whose selected fields are none: dropped */
    const struct field *children; /* NULL: a leaf */
    size_t nchildren;
} field;

#define KIDS(a) a, sizeof a / sizeof *a

static const field f_21_22[] = {{21, 0, NULL, 0}, {22, 0, NULL, 0}};
static const field f_1_2[] = {{1, 0, NULL, 0}, {2, 0, NULL, 0}};
static const field f_m1[] = {{1, 1, NULL, 0}};
static const field f_3[] = {{2, 0, NULL, 0},  {3, 0, NULL, 0},  {8, 0, NULL, 0},
                            {11, 0, NULL, 0}, {17, 0, KIDS(f_21_22)}, {25, 0, NULL, 0}};
static const field f_4[] = {{1, 0, NULL, 0}, {16, 0, NULL, 0}, {17, 0, KIDS(f_21_22)}};
static const field f_5[] = {{3, 0, NULL, 0},  {4, 0, NULL, 0}, {5, 0, NULL, 0},
                            {16, 0, NULL, 0}, {17, 0, KIDS(f_21_22)}};
static const field f_6[] = {{1, 0, NULL, 0}, {17, 0, KIDS(f_21_22)}, {30, 0, NULL, 0}};
static const field f_7[] = {{2, 0, NULL, 0},  {7, 0, NULL, 0}, {10, 0, NULL, 0},
                            {17, 0, KIDS(f_21_22)}, {20, 0, NULL, 0}};
static const field f_8[] = {{2, 0, NULL, 0},  {7, 0, NULL, 0}, {9, 0, NULL, 0},
                            {17, 0, KIDS(f_21_22)}, {21, 0, NULL, 0}};
static const field f_9[] = {{2, 0, NULL, 0},  {6, 0, NULL, 0},        {7, 0, NULL, 0},
                            {13, 0, NULL, 0}, {17, 0, KIDS(f_21_22)}, {20, 0, NULL, 0}};
static const field f_12[] = {{1, 0, NULL, 0}, {2, 0, NULL, 0}, {14, 1, NULL, 0}, {15, 0, NULL, 0}};
static const field f_18[] = {{6, 0, NULL, 0}, {16, 0, NULL, 0}, {17, 0, KIDS(f_21_22)}};
static const field f_26[] = {{4, 0, NULL, 0},  {5, 0, NULL, 0}, {8, 0, NULL, 0},
                             {13, 0, NULL, 0}, {17, 0, KIDS(f_21_22)}};
static const field f_28[] = {{1, 0, NULL, 0}, {2, 0, NULL, 0}, {4, 0, NULL, 0},
                             {5, 0, NULL, 0}, {6, 0, NULL, 0}, {7, 0, KIDS(f_21_22)}};
static const field f_49[] = {{2, 0, NULL, 0}, {3, 0, KIDS(f_1_2)}, {5, 0, KIDS(f_21_22)},
                             {8, 0, KIDS(f_1_2)}};
static const field f_88_2[] = {{1, 0, NULL, 0}};
static const field f_88[] = {{1, 0, NULL, 0}, {2, 0, KIDS(f_88_2)}, {3, 0, KIDS(f_21_22)}};

static const field top[] = {
    {1, 0, NULL, 0},     {3, 0, KIDS(f_3)},   {4, 0, KIDS(f_4)},   {5, 0, KIDS(f_5)},
    {6, 0, KIDS(f_6)},   {7, 0, KIDS(f_7)},   {8, 0, KIDS(f_8)},   {9, 0, KIDS(f_9)},
    {12, 0, KIDS(f_12)}, {18, 0, KIDS(f_18)}, {26, 0, KIDS(f_26)}, {28, 0, KIDS(f_28)},
    {37, 0, KIDS(f_m1)}, {49, 0, KIDS(f_49)}, {53, 0, KIDS(f_m1)}, {55, 0, KIDS(f_m1)},
    {58, 0, KIDS(f_m1)}, {59, 0, KIDS(f_m1)}, {60, 0, KIDS(f_49)}, {64, 0, KIDS(f_49)},
    {66, 0, KIDS(f_9)},  {74, 0, KIDS(f_m1)}, {87, 0, KIDS(f_m1)}, {88, 0, KIDS(f_88)},
    {92, 0, KIDS(f_m1)}, {93, 0, KIDS(f_m1)}, {94, 0, KIDS(f_m1)},
};

static const field *find(const field *cfg, size_t n, uint32_t num) {
    for (size_t i = 0; i < n; i++)
        if (cfg[i].num == num)
            return &cfg[i];
    return NULL;
}

/* A varint as Baileys' reader takes one: at most 6 bytes (a longer one, such as a negative int32
 * or a large int64, makes the whole message tokenless there, so here too); a value over 32 bits
 * is only ever skipped (tags and lengths never are). */
static int varint(const uint8_t *d, size_t len, size_t *i, uint32_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift <= 35; shift += 7) {
        if (*i >= len)
            return -1;
        uint8_t b = d[(*i)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
            return 0;
        }
    }
    return -1;
}

static void put_varint(wb_buf *b, uint32_t v) {
    while (v > 0x7f) {
        wb_buf_put_u8(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    wb_buf_put_u8(b, (uint8_t)v);
}

typedef struct piece {
    uint32_t num;
    size_t seq;   /* arrival order, for a stable sort */
    wb_buf bytes;
} piece;

static int by_num(const void *a, const void *b) {
    const piece *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends the selected fields of d (cfg) to out. Returns 0 or WB_EMALFORMED. */
static int extract(const uint8_t *d, size_t len, const field *cfg, size_t ncfg, int depth,
                   wb_buf *out) {
    if (depth > 8)
        return WB_EMALFORMED;
    piece *pieces = NULL;
    size_t n = 0, cap = 0, i = 0;
    int rc = 0;
    while (i < len && rc == 0) {
        size_t start = i, end;
        uint32_t tag, vlen;
        if (varint(d, len, &i, &tag) < 0 || tag == UINT32_MAX) {
            rc = WB_EMALFORMED;
            break;
        }
        const field *f = find(cfg, ncfg, tag >> 3);
        wb_buf sub = WB_BUF_INIT;
        int keep = 0;
        switch (tag & 7) {
        case 0: /* varint */
            if (varint(d, len, &i, &vlen) < 0)
                rc = WB_EMALFORMED;
            keep = f != NULL;
            break;
        case 1: /* fixed64 */
        case 5: /* fixed32 */
            end = i + ((tag & 7) == 1 ? 8 : 4);
            if (end > len)
                rc = WB_EMALFORMED;
            i = end;
            keep = f != NULL;
            break;
        case 2: /* length-delimited */
            if (varint(d, len, &i, &vlen) < 0 || vlen > len - i) {
                rc = WB_EMALFORMED;
                break;
            }
            if (f && (f->message || f->children)) {
                if ((rc = extract(d + i, vlen, f->children, f->nchildren, depth + 1, &sub)) == 0 &&
                    sub.len > 0) {
                    wb_buf wrapped = WB_BUF_INIT;
                    put_varint(&wrapped, tag);
                    put_varint(&wrapped, (uint32_t)sub.len);
                    wb_buf_append(&wrapped, sub.data, sub.len);
                    wb_buf_free(&sub);
                    sub = wrapped;
                    keep = 2; /* sub holds the bytes */
                }
            } else {
                keep = f != NULL;
            }
            i += vlen;
            break;
        default: /* groups: not in a Message */
            rc = WB_EMALFORMED;
        }
        if (rc == 0 && keep) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                piece *np = realloc(pieces, ncap * sizeof *np);
                if (!np) {
                    wb_buf_free(&sub);
                    rc = WB_ENOMEM;
                    break;
                }
                pieces = np;
                cap = ncap;
            }
            piece *p = &pieces[n];
            p->num = tag >> 3;
            p->seq = n;
            if (keep == 2) {
                p->bytes = sub;
            } else {
                wb_buf_init(&p->bytes);
                wb_buf_append(&p->bytes, d + start, i - start);
            }
            n++;
        } else {
            wb_buf_free(&sub);
        }
    }
    if (rc == 0) {
        if (n > 1)
            qsort(pieces, n, sizeof *pieces, by_num);
        for (size_t k = 0; k < n; k++)
            wb_buf_append(out, pieces[k].bytes.data, pieces[k].bytes.len);
        if (out->err)
            rc = WB_ENOMEM;
    }
    for (size_t k = 0; k < n; k++)
        wb_buf_free(&pieces[k].bytes);
    free(pieces);
    return rc;
}

int wb_wa_reporting_wanted(const Wa__Message *m) {
    /* Baileys also excludes encEventResponseMessage (field 76), which proto/ does not have and so
     * wabot never sends */
    return m && !m->reactionmessage && !m->encreactionmessage && !m->pollupdatemessage;
}

int wb_wa_reporting_token(const uint8_t *msg, size_t len, const uint8_t secret[32], const char *id,
                          const char *chat, uint8_t token[WB_WA_REPORTING_TOKEN_LEN]) {
    wb_buf content = WB_BUF_INIT, info = WB_BUF_INIT;
    int rc = extract(msg, len, top, sizeof top / sizeof *top, 0, &content);
    if (rc == WB_EMALFORMED || (rc == 0 && content.len == 0))
        rc = 0; /* nothing to vouch for, or bytes Baileys' reader refuses: no token either way */
    else if (rc == 0) {
        /* the use case's secret: HKDF(messageSecret, info = id || from || to || "Report Token");
         * for our own message both from and to are the chat (Baileys' key.fromMe branch) */
        static const char use_case[] = "Report Token";
        wb_buf_append(&info, id, strlen(id));
        wb_buf_append(&info, chat, strlen(chat));
        wb_buf_append(&info, chat, strlen(chat));
        wb_buf_append(&info, use_case, sizeof use_case - 1);
        uint8_t key[32], mac[WB_SHA256_LEN];
        if (info.err ||
            wb_hkdf_sha256(key, sizeof key, secret, 32, NULL, 0, info.data, info.len) < 0) {
            rc = WB_ENOMEM;
        } else {
            wb_hmac_sha256(mac, key, sizeof key, content.data, content.len);
            memcpy(token, mac, WB_WA_REPORTING_TOKEN_LEN);
            rc = 1;
        }
        wb_zero(key, sizeof key);
        wb_zero(mac, sizeof mac);
    }
    wb_buf_free(&content);
    wb_buf_free(&info);
    return rc;
}

void wb_wa_reporting_fill(wb_node *message, const uint8_t token[WB_WA_REPORTING_TOKEN_LEN]) {
    wb_node *t = WB_CHILD(wb_node_add_new(message, "reporting"), "reporting_token", {"v", "2"});
    wb_node_set_bytes(t, token, WB_WA_REPORTING_TOKEN_LEN);
}
