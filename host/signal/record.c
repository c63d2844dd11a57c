/* Session records and states (record.h): parsing stored bytes defensively and writing them.
 * Called by session.c for every encrypt and decrypt, and by the record fuzz target. */
#include "signal/record.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

enum {
    ST_BASE_OURS = 1,
    ST_PENDING = 2,
    ST_PENDING_PREKEY = 4,
    ST_SENDING = 8,
    ST_FLAGS = 15,
    CH_OPEN = 1,
};

/* ---- the record ------------------------------------------------------------------------------ */

int wb_sig_record_split(wb_sig_record *r, const uint8_t *data, size_t len, wb_error *err) {
    wb_reader rd;
    wb_reader_init(&rd, data, len);
    uint8_t format = wb_rd_u8(&rd);
    uint8_t count = wb_rd_u8(&rd);
    if (rd.err)
        return wb_error_set(err, rd.err, rd.err_pos, "session record header");
    if (format != WB_SIG_RECORD_FORMAT)
        return wb_error_set(err, WB_EMALFORMED, 0, "session record format %u", format);
    if (count == 0 || count > WB_SIG_MAX_STATES)
        return wb_error_set(err, WB_EMALFORMED, 1, "session record holds %u states", count);
    wb_sig_record t;
    t.count = count;
    for (unsigned i = 0; i < count; i++) {
        uint32_t n = wb_rd_be32(&rd);
        t.states[i].p = wb_rd_bytes(&rd, n);
        t.states[i].len = n;
        if (rd.err)
            return wb_error_set(err, rd.err, rd.err_pos, "session state %u", i);
    }
    if (wb_rd_remaining(&rd))
        return wb_error_set(err, WB_EMALFORMED, rd.pos, "bytes after the last session state");
    *r = t;
    return 0;
}

int wb_sig_record_write(wb_buf *out, const wb_buf *first, const wb_sig_record *r, int replace,
                        const wb_buf *replacement) {
    unsigned total = (first ? 1 : 0) + (r ? r->count : 0);
    if (total > WB_SIG_MAX_STATES)
        total = WB_SIG_MAX_STATES;
    wb_buf_put_u8(out, WB_SIG_RECORD_FORMAT);
    wb_buf_put_u8(out, (uint8_t)total);
    unsigned written = 0;
    if (first) {
        wb_buf_put_be32(out, (uint32_t)first->len);
        wb_buf_append(out, first->data, first->len);
        written++;
    }
    for (unsigned i = 0; r && i < r->count && written < total; i++, written++) {
        const uint8_t *p = (int)i == replace ? replacement->data : r->states[i].p;
        size_t n = (int)i == replace ? replacement->len : r->states[i].len;
        wb_buf_put_be32(out, (uint32_t)n);
        wb_buf_append(out, p, n);
    }
    return out->err;
}

int wb_sig_record_check(const uint8_t *data, size_t len, wb_error *err) {
    wb_sig_record r;
    int rc = wb_sig_record_split(&r, data, len, err);
    for (unsigned i = 0; rc == 0 && i < r.count; i++) {
        wb_sig_state s;
        if ((rc = wb_sig_state_parse(&s, r.states[i].p, r.states[i].len, err)) == 0)
            wb_sig_state_free(&s);
    }
    return rc;
}

/* ---- a state --------------------------------------------------------------------------------- */

static void read_key(wb_reader *rd, uint8_t out[32]) {
    const uint8_t *p = wb_rd_bytes(rd, 32);
    if (p)
        memcpy(out, p, 32);
}

static int parse_chain(wb_reader *rd, wb_sig_chain *c, wb_error *err) {
    read_key(rd, c->ratchet);
    uint8_t flags = wb_rd_u8(rd);
    if (!rd->err && (flags & ~CH_OPEN))
        return wb_error_set(err, WB_EMALFORMED, rd->pos - 1, "chain flags 0x%02x", flags);
    c->open = flags & CH_OPEN;
    if (c->open)
        read_key(rd, c->key);
    c->next = wb_rd_be32(rd);
    if (rd->err)
        return wb_error_set(err, rd->err, rd->err_pos, "receiving chain");
    return wb_sig_mkeys_read(rd, &c->skipped, c->next, err);
}

int wb_sig_state_parse(wb_sig_state *out, const uint8_t *data, size_t len, wb_error *err) {
    wb_reader rd;
    wb_reader_init(&rd, data, len);
    wb_sig_state s;
    memset(&s, 0, sizeof s);
    int rc = 0;
    uint8_t flags = wb_rd_u8(&rd);
    if (!rd.err && (flags & ~ST_FLAGS)) {
        rc = wb_error_set(err, WB_EMALFORMED, 0, "state flags 0x%02x", flags);
        goto fail;
    }
    s.base_key_ours = !!(flags & ST_BASE_OURS);
    s.pending = !!(flags & ST_PENDING);
    s.pending_has_prekey = !!(flags & ST_PENDING_PREKEY);
    s.has_sending = !!(flags & ST_SENDING);
    s.remote_registration_id = wb_rd_be32(&rd);
    read_key(&rd, s.remote_identity);
    read_key(&rd, s.base_key);
    read_key(&rd, s.root_key);
    read_key(&rd, s.ratchet.pub);
    read_key(&rd, s.ratchet.priv);
    read_key(&rd, s.last_remote_ratchet);
    s.previous_counter = wb_rd_be32(&rd);
    if (s.pending) {
        s.pending_signed_prekey_id = wb_rd_be32(&rd);
        if (s.pending_has_prekey)
            s.pending_prekey_id = wb_rd_be32(&rd);
    } else if (s.pending_has_prekey) {
        rc = wb_error_set(err, WB_EMALFORMED, 0, "prekey id without a pending prekey");
        goto fail;
    }
    if (s.has_sending) {
        read_key(&rd, s.send_key);
        s.send_next = wb_rd_be32(&rd);
    }
    uint8_t nrecv = wb_rd_u8(&rd);
    if (rd.err) {
        rc = wb_error_set(err, rd.err, rd.err_pos, "session state");
        goto fail;
    }
    if (nrecv > WB_SIGNAL_MAX_RECV_CHAINS) {
        rc = wb_error_set(err, WB_EMALFORMED, rd.pos - 1, "%u receiving chains", nrecv);
        goto fail;
    }
    for (unsigned i = 0; i < nrecv; i++) {
        s.nrecv = i + 1;
        if ((rc = parse_chain(&rd, &s.recv[i], err)) < 0)
            goto fail;
    }
    uint8_t nretired = wb_rd_u8(&rd);
    if (!rd.err && nretired > WB_SIG_MAX_RETIRED) {
        rc = wb_error_set(err, WB_EMALFORMED, rd.pos - 1, "%u retired chains", nretired);
        goto fail;
    }
    for (unsigned i = 0; i < nretired; i++) {
        read_key(&rd, s.retired[i].ratchet);
        s.retired[i].next = wb_rd_be32(&rd);
    }
    s.nretired = nretired;
    if (rd.err) {
        rc = wb_error_set(err, rd.err, rd.err_pos, "retired chains");
        goto fail;
    }
    if (wb_rd_remaining(&rd)) {
        rc = wb_error_set(err, WB_EMALFORMED, rd.pos, "bytes after the session state");
        goto fail;
    }
    *out = s;
    return 0;
fail:
    wb_sig_state_free(&s);
    return rc;
}

int wb_sig_state_write(wb_buf *out, const wb_sig_state *s) {
    uint8_t flags = (uint8_t)((s->base_key_ours ? ST_BASE_OURS : 0) |
                              (s->pending ? ST_PENDING : 0) |
                              (s->pending && s->pending_has_prekey ? ST_PENDING_PREKEY : 0) |
                              (s->has_sending ? ST_SENDING : 0));
    wb_buf_put_u8(out, flags);
    wb_buf_put_be32(out, s->remote_registration_id);
    wb_buf_append(out, s->remote_identity, 32);
    wb_buf_append(out, s->base_key, 32);
    wb_buf_append(out, s->root_key, 32);
    wb_buf_append(out, s->ratchet.pub, 32);
    wb_buf_append(out, s->ratchet.priv, 32);
    wb_buf_append(out, s->last_remote_ratchet, 32);
    wb_buf_put_be32(out, s->previous_counter);
    if (s->pending) {
        wb_buf_put_be32(out, s->pending_signed_prekey_id);
        if (s->pending_has_prekey)
            wb_buf_put_be32(out, s->pending_prekey_id);
    }
    if (s->has_sending) {
        wb_buf_append(out, s->send_key, 32);
        wb_buf_put_be32(out, s->send_next);
    }
    wb_buf_put_u8(out, (uint8_t)s->nrecv);
    for (unsigned i = 0; i < s->nrecv; i++) {
        const wb_sig_chain *c = &s->recv[i];
        wb_buf_append(out, c->ratchet, 32);
        wb_buf_put_u8(out, c->open ? CH_OPEN : 0);
        if (c->open)
            wb_buf_append(out, c->key, 32);
        wb_buf_put_be32(out, c->next);
        wb_sig_mkeys_write(out, &c->skipped);
    }
    wb_buf_put_u8(out, (uint8_t)s->nretired);
    for (unsigned i = 0; i < s->nretired; i++) {
        wb_buf_append(out, s->retired[i].ratchet, 32);
        wb_buf_put_be32(out, s->retired[i].next);
    }
    return out->err;
}

void wb_sig_state_free(wb_sig_state *s) {
    for (unsigned i = 0; i < s->nrecv && i <= WB_SIGNAL_MAX_RECV_CHAINS; i++)
        wb_sig_mkeys_free(&s->recv[i].skipped);
    wb_zero(s, sizeof *s);
}
