/* The HTTP/1.1 message parser (see http.h for the contract). Called by the server for requests
 * and by the clients for responses; fuzzed by tests/fuzz/fuzz_http_request.c and
 * fuzz_http_response.c.
 *
 * The head is collected whole (bounded by max_head), checked for bare LFs as it arrives, then
 * parsed in place: delimiters become NULs and the message's strings point into its own storage.
 * The body is decoded into a second buffer (bounded by max_body) as bytes arrive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http.h"

enum {
    ST_HEAD,
    ST_BODY_LEN,
    ST_CHUNK_SIZE,
    ST_CHUNK_DATA,
    ST_CHUNK_CRLF,
    ST_TRAILER,
    ST_BODY_EOF,
    ST_DONE,
    ST_ERROR,
};

#define CHUNK_LINE_MAX 1024 /* a chunk-size line with its extensions */

/* RFC 9110 tchar: the bytes of a token (method, header name, transfer coding). */
static int is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Bytes allowed in a header value or reason phrase: HTAB, SP, VCHAR, obs-text. */
static int is_field_char(unsigned char c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

void wb_http_msg_free(wb_http_msg *m) {
    free(m->headers);
    wb_buf_free(&m->head_store);
    wb_buf_free(&m->body_store);
    memset(m, 0, sizeof *m);
}

void wb_http_parser_init(wb_http_parser *p, wb_http_kind kind, const wb_http_limits *lim) {
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->lim.max_head = lim && lim->max_head ? lim->max_head : WB_HTTP_DEFAULT_MAX_HEAD;
    p->lim.max_headers = lim && lim->max_headers ? lim->max_headers : WB_HTTP_DEFAULT_MAX_HEADERS;
    p->lim.max_body = lim && lim->max_body ? lim->max_body : WB_HTTP_DEFAULT_MAX_BODY;
    p->lim.max_streamed_body = lim && lim->max_streamed_body ? lim->max_streamed_body
                                                              : p->lim.max_body;
    p->state = ST_HEAD;
}

void wb_http_parser_free(wb_http_parser *p) {
    wb_http_msg_free(&p->msg);
    wb_buf_free(&p->line);
}

void wb_http_parser_next(wb_http_parser *p) {
    wb_http_msg_free(&p->msg);
    p->stream = 0;
    p->body_mode_set = 0;
    p->body_total = 0;
    p->piece = NULL;
    p->piece_len = 0;
    wb_buf_reset(&p->line);
    p->state = ST_HEAD;
    p->status = 0;
    p->err = 0;
    p->head_done = 0;
    p->no_body = 0;
    p->remaining = 0;
    p->offset = 0;
    p->scan = 0;
    p->skipped_crlf = 0;
    p->trailer_len = 0;
}

size_t wb_http_parser_held(const wb_http_parser *p) {
    const wb_buf *b = &p->msg.body_store;
    size_t body = b->cap;
    if (p->stream) /* pieces pass through: only the head and a chunk line are held */
        return p->msg.head_store.cap + p->line.cap;
    if (p->state == ST_BODY_LEN && b->len + p->remaining > body) /* the declared rest */
        body = b->len + (size_t)p->remaining;
    return p->msg.head_store.cap + body + p->line.cap;
}

int wb_http_parser_take(wb_http_parser *p, wb_http_msg *out) {
    if (p->state != ST_DONE)
        return WB_ESTATE;
    *out = p->msg;
    memset(&p->msg, 0, sizeof p->msg);
    wb_http_parser_next(p);
    return 0;
}

/* The limit on the current body: the streamed one in stream mode, else max_body. */
static uint64_t body_limit(const wb_http_parser *p) {
    return p->stream ? p->lim.max_streamed_body : p->lim.max_body;
}

/* Records a failure: the parser stays failed until wb_http_parser_next. */
static int fail(wb_http_parser *p, wb_error *err, int code, int status, size_t off,
                const char *what) {
    p->state = ST_ERROR;
    p->err = code;
    p->status = status;
    return wb_error_set(err, code, off, "%s", what);
}

static void finish(wb_http_parser *p) {
    p->state = ST_DONE;
    p->msg.body = p->msg.body_store.len ? p->msg.body_store.data : NULL;
    p->msg.body_len = p->msg.body_store.len;
}

/* ---- the head ---------------------------------------------------------------------------- */

/* "HTTP/d.d" at s: sets *version (10 or 11). Returns 0, or the status to fail with. */
static int parse_version(const char *s, size_t n, int *version) {
    if (n != 8 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.' || s[5] < '0' || s[5] > '9' ||
        s[7] < '0' || s[7] > '9')
        return 400;
    if (s[5] != '1')
        return 505;
    *version = s[7] == '0' ? 10 : 11; /* HTTP/1.x for x > 1 is read as 1.1 (RFC 9112 2.3) */
    return 0;
}

/* Parses a list of Content-Length values ("5" or "5, 5"), requiring every element equal.
 * Returns 0, 400 (not a number, or values differ) or 413 (over max). */
static int parse_length(const char *v, uint64_t *prev, int *seen, uint64_t max) {
    const char *q = v;
    for (;;) {
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q < '0' || *q > '9')
            return 400;
        uint64_t n = 0;
        int big = 0;
        for (; *q >= '0' && *q <= '9'; q++) {
            if (n > (UINT64_MAX - 9) / 10)
                big = 1;
            else
                n = n * 10 + (uint64_t)(*q - '0');
        }
        if (big)
            n = UINT64_MAX;
        if (*seen && n != *prev)
            return 400;
        *prev = n;
        *seen = 1;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == 0)
            break;
        if (*q != ',')
            return 400;
        q++;
    }
    return *prev > max ? 413 : 0;
}

/* The transfer codings of every Transfer-Encoding header must together be exactly "chunked".
 * Returns 0, 400 (empty or malformed) or 501 (another coding). */
static int check_transfer_encoding(const wb_http_msg *m) {
    int codings = 0, chunked_last = 0;
    for (size_t i = 0; i < m->nheaders; i++) {
        if (strcasecmp(m->headers[i].name, "transfer-encoding") != 0)
            continue;
        const char *q = m->headers[i].value;
        for (;;) {
            while (*q == ' ' || *q == '\t' || *q == ',')
                q++;
            if (!*q)
                break;
            const char *t = q;
            while (is_tchar((unsigned char)*q))
                q++;
            if (q == t)
                return 400;
            size_t tl = (size_t)(q - t);
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == ';') /* transfer parameters: not for chunked, so unsupported */
                return 501;
            if (*q && *q != ',')
                return 400;
            codings++;
            chunked_last = tl == 7 && strncasecmp(t, "chunked", 7) == 0;
            if (!chunked_last)
                return 501;
        }
    }
    if (!codings)
        return 400;
    return codings == 1 && chunked_last ? 0 : 400; /* "chunked, chunked" is not a valid list */
}

/* Splits the request target into the path and query copies after the head. */
static int split_target(wb_http_msg *m, char *dst) {
    const char *t = m->target;
    if (strcmp(t, "*") == 0) {
        m->path = strcpy(dst, "*");
        m->query = dst + 1; /* the NUL */
        return 0;
    }
    if (strncasecmp(t, "http://", 7) == 0 || strncasecmp(t, "https://", 8) == 0) {
        t = strstr(t, "//") + 2; /* absolute-form: the path starts after the authority */
        t += strcspn(t, "/?");
    } else if (t[0] != '/') {
        return 400;
    }
    size_t plen = strcspn(t, "?");
    char *path = dst;
    if (plen == 0)
        *dst++ = '/'; /* "http://host?x" has path "/" */
    memcpy(dst, t, plen);
    dst += plen;
    *dst++ = 0;
    m->path = path;
    m->query = dst;
    if (t[plen] == '?')
        strcpy(dst, t + plen + 1);
    else
        *dst = 0;
    return 0;
}

/* Parses the head in m->head_store (hlen bytes, ending in CRLF CRLF) in place. */
static int parse_head(wb_http_parser *p, size_t hlen, wb_error *err) {
    wb_http_msg *m = &p->msg;
    /* room for the path and query copies, so no string moves once pointed at */
    if (wb_buf_reserve(&m->head_store, hlen + 4) < 0)
        return fail(p, err, WB_ENOMEM, 500, 0, "out of memory");
    char *s = (char *)m->head_store.data;
    s[hlen] = 0; /* the searches below stop here; the path copy later starts here */
    size_t base = p->skipped_crlf;
    if (memchr(s, 0, hlen))
        return fail(p, err, WB_EMALFORMED, 400, base + (size_t)((char *)memchr(s, 0, hlen) - s),
                    "NUL byte in the message head");
    size_t nlines = 0;
    for (size_t i = 0; i < hlen; i++)
        nlines += s[i] == '\n';
    size_t nh = nlines - 2; /* minus the start line and the blank line */
    if (nh > p->lim.max_headers)
        return fail(p, err, WB_ETOOBIG, 431, base, "too many header fields");
    m->headers = calloc(nh ? nh : 1, sizeof *m->headers);
    if (!m->headers)
        return fail(p, err, WB_ENOMEM, 500, 0, "out of memory");

    /* the start line */
    char *eol = strstr(s, "\r\n");
    *eol = 0;
    size_t llen = (size_t)(eol - s);
    if (p->kind == WB_HTTP_REQUEST) {
        char *sp1 = memchr(s, ' ', llen);
        if (!sp1 || sp1 == s)
            return fail(p, err, WB_EMALFORMED, 400, base, "request line has no method");
        for (char *q = s; q < sp1; q++)
            if (!is_tchar((unsigned char)*q))
                return fail(p, err, WB_EMALFORMED, 400, base + (size_t)(q - s),
                            "request method is not a token");
        char *tgt = sp1 + 1;
        char *sp2 = memchr(tgt, ' ', (size_t)(eol - tgt));
        if (!sp2 || sp2 == tgt)
            return fail(p, err, WB_EMALFORMED, 400, base + (size_t)(tgt - s),
                        "request line needs a target and a version separated by single spaces");
        for (char *q = tgt; q < sp2; q++)
            if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
                return fail(p, err, WB_EMALFORMED, 400, base + (size_t)(q - s),
                            "request target has a control, space or non-ASCII byte");
        int st = parse_version(sp2 + 1, (size_t)(eol - sp2 - 1), &m->version);
        if (st)
            return fail(p, err, st == 505 ? WB_EUNSUPPORTED : WB_EMALFORMED, st,
                        base + (size_t)(sp2 + 1 - s),
                        st == 505 ? "HTTP version is not 1.x" : "request line has no HTTP/1.x version");
        *sp1 = 0;
        *sp2 = 0;
        m->method = s;
        m->target = tgt;
    } else {
        int st = llen >= 8 ? parse_version(s, 8, &m->version) : 400;
        if (st)
            return fail(p, err, st == 505 ? WB_EUNSUPPORTED : WB_EMALFORMED, st, base,
                        "status line has no HTTP/1.x version");
        if (llen < 12 || s[8] != ' ' || s[9] < '1' || s[9] > '9' || s[10] < '0' || s[10] > '9' ||
            s[11] < '0' || s[11] > '9' || (llen > 12 && s[12] != ' '))
            return fail(p, err, WB_EMALFORMED, 400, base + 8, "status line has no 3-digit status");
        m->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
        m->reason = llen > 12 ? s + 13 : eol;
        for (const char *q = m->reason; q < eol; q++)
            if (!is_field_char((unsigned char)*q))
                return fail(p, err, WB_EMALFORMED, 400, base + (size_t)(q - s),
                            "reason phrase has a control byte");
    }

    /* header lines */
    char *line = eol + 2;
    int hosts = 0, te = 0, cl_seen = 0, close_tok = 0, keep_tok = 0;
    uint64_t cl = 0;
    while (line[0] != '\r') {
        char *end = strstr(line, "\r\n");
        size_t off = base + (size_t)(line - s);
        if (line[0] == ' ' || line[0] == '\t')
            return fail(p, err, WB_EMALFORMED, 400, off, "folded header line (obs-fold)");
        char *colon = memchr(line, ':', (size_t)(end - line));
        if (!colon)
            return fail(p, err, WB_EMALFORMED, 400, off, "header line has no colon");
        if (colon == line)
            return fail(p, err, WB_EMALFORMED, 400, off, "header name is empty");
        for (char *q = line; q < colon; q++)
            if (!is_tchar((unsigned char)*q))
                return fail(p, err, WB_EMALFORMED, 400, base + (size_t)(q - s),
                            q + 1 == colon && (*q == ' ' || *q == '\t')
                                ? "whitespace between header name and colon"
                                : "header name is not a token");
        char *v = colon + 1, *ve = end;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        for (char *q = v; q < ve; q++)
            if (!is_field_char((unsigned char)*q))
                return fail(p, err, WB_EMALFORMED, 400, base + (size_t)(q - s),
                            "header value has a control byte");
        *colon = 0;
        *ve = 0;
        wb_http_header *h = &m->headers[m->nheaders++];
        h->name = line;
        h->value = v;
        if (strcasecmp(h->name, "host") == 0)
            hosts++;
        else if (strcasecmp(h->name, "transfer-encoding") == 0)
            te = 1;
        else if (strcasecmp(h->name, "content-length") == 0) {
            int st = parse_length(v, &cl, &cl_seen,
                                  p->lim.max_streamed_body > p->lim.max_body
                                      ? p->lim.max_streamed_body
                                      : p->lim.max_body);
            if (st)
                return fail(p, err, st == 413 ? WB_ETOOBIG : WB_EMALFORMED, st, off,
                            st == 413 ? "Content-Length is over the body limit"
                                      : "Content-Length is not one decimal number");
        }
        line = end + 2;
    }
    close_tok = wb_http_msg_has_token(m, "connection", "close");
    keep_tok = wb_http_msg_has_token(m, "connection", "keep-alive");
    m->keep_alive = m->version == 11 ? !close_tok : keep_tok && !close_tok;
    m->upgrade = wb_http_msg_has_token(m, "connection", "upgrade") &&
                 wb_http_msg_header(m, "upgrade") != NULL;
    p->head_done = 1;

    if (te) {
        if (cl_seen)
            return fail(p, err, WB_EMALFORMED, 400, base,
                        "both Transfer-Encoding and Content-Length");
        if (p->kind == WB_HTTP_REQUEST && m->version == 10)
            return fail(p, err, WB_EMALFORMED, 400, base, "Transfer-Encoding in an HTTP/1.0 request");
        int st = check_transfer_encoding(m);
        if (st)
            return fail(p, err, st == 501 ? WB_EUNSUPPORTED : WB_EMALFORMED, st, base,
                        st == 501 ? "transfer coding other than chunked"
                                  : "Transfer-Encoding is not a valid coding list");
        m->chunked = 1;
    }

    if (p->kind == WB_HTTP_REQUEST) {
        if (m->version == 11 ? hosts != 1 : hosts > 1)
            return fail(p, err, WB_EMALFORMED, 400, base,
                        hosts ? "more than one Host header" : "HTTP/1.1 request without Host");
        const char *ex = wb_http_msg_header(m, "expect");
        m->expect_continue = ex && strcasecmp(ex, "100-continue") == 0;
        char *dst = s + hlen;
        if (split_target(m, dst))
            return fail(p, err, WB_EMALFORMED, 400, base + (size_t)(m->target - s),
                        "request target is not a path");
        if (m->chunked)
            p->state = ST_CHUNK_SIZE;
        else if (cl)
            p->state = ST_BODY_LEN;
        else
            finish(p);
    } else {
        int st = m->status;
        if (p->no_body || (st >= 100 && st < 200) || st == 204 || st == 304)
            finish(p);
        else if (m->chunked)
            p->state = ST_CHUNK_SIZE;
        else if (cl)
            p->state = ST_BODY_LEN;
        else if (cl_seen)
            finish(p);
        else {
            p->state = ST_BODY_EOF; /* the body runs until the connection closes */
            m->keep_alive = 0;
        }
    }
    if (p->state == ST_BODY_LEN)
        p->remaining = cl;
    return 0;
}

/* Takes head bytes from data; sets *used. Returns 0 (need more or head parsed: see p->state) or
 * an error. */
static int feed_head(wb_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                     wb_error *err) {
    wb_buf *h = &p->msg.head_store;
    size_t i = 0;
    /* empty lines before a request or status line are skipped (RFC 9112 2.2) */
    while (h->len == 0 && i < len && (data[i] == '\r' || data[i] == '\n')) {
        if (++p->skipped_crlf > p->lim.max_head) {
            *used = i;
            return fail(p, err, WB_ETOOBIG, 431, p->skipped_crlf, "too many empty lines");
        }
        i++;
    }
    size_t room = p->lim.max_head + 1 - h->len;
    size_t n = len - i < room ? len - i : room;
    size_t start = h->len;
    if (wb_buf_append(h, data + i, n) < 0) {
        *used = i;
        return fail(p, err, WB_ENOMEM, 500, 0, "out of memory");
    }
    const uint8_t *b = h->data;
    size_t from = p->scan;
    for (size_t k = from; k < h->len; k++) {
        if (b[k] == '\n' && (k == 0 || b[k - 1] != '\r')) {
            *used = i + (k - start) + 1;
            return fail(p, err, WB_EMALFORMED, 400, p->skipped_crlf + k, "bare LF in the head");
        }
        if (k > 0 && b[k - 1] == '\r' && b[k] != '\n') {
            *used = i + (k - start);
            return fail(p, err, WB_EMALFORMED, 400, p->skipped_crlf + k - 1, "bare CR in the head");
        }
        if (k >= 3 && b[k] == '\n' && b[k - 1] == '\r' && b[k - 2] == '\n' && b[k - 3] == '\r') {
            size_t hlen = k + 1;
            *used = i + (hlen - start);
            h->len = hlen;
            if (hlen > p->lim.max_head)
                return fail(p, err, WB_ETOOBIG, 431, p->skipped_crlf, "message head is too large");
            p->offset = p->skipped_crlf + hlen;
            return parse_head(p, hlen, err);
        }
    }
    /* a CR at the very end may pair with an LF in the next piece: scan it again then */
    p->scan = h->len && b[h->len - 1] == '\r' ? h->len - 1 : h->len;
    *used = i + n;
    if (h->len > p->lim.max_head) {
        int in_start_line = memchr(b, '\n', h->len) == NULL;
        if (in_start_line && p->kind == WB_HTTP_REQUEST)
            return fail(p, err, WB_ETOOBIG, 414, p->skipped_crlf, "request line is too long");
        return fail(p, err, WB_ETOOBIG, 431, p->skipped_crlf, "message head is too large");
    }
    return 0;
}

/* Collects one line (chunk size or trailer) into p->line; returns 1 when complete (the line,
 * without CRLF, is NUL-terminated in p->line), 0 for more, <0 on error. */
static int feed_line(wb_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                     size_t max, wb_error *err) {
    const uint8_t *nl = memchr(data, '\n', len);
    size_t n = nl ? (size_t)(nl - data) + 1 : len;
    if (p->line.len + n > max) {
        *used = 0;
        return fail(p, err, WB_ETOOBIG, p->state == ST_TRAILER ? 431 : 400, p->offset,
                    p->state == ST_TRAILER ? "trailer section is too large"
                                           : "chunk size line is too long");
    }
    if (wb_buf_append(&p->line, data, n) < 0)
        return fail(p, err, WB_ENOMEM, 500, p->offset, "out of memory");
    *used = n;
    if (!nl)
        return 0;
    if (p->line.len < 2 || p->line.data[p->line.len - 2] != '\r')
        return fail(p, err, WB_EMALFORMED, 400, p->offset + n - 1, "bare LF in chunked framing");
    p->line.data[p->line.len - 2] = 0;
    for (size_t k = 0; k + 2 < p->line.len; k++)
        if (p->line.data[k] == '\r' || p->line.data[k] == 0)
            return fail(p, err, WB_EMALFORMED, 400, p->offset, "control byte in chunked framing");
    return 1;
}

/* Parses "HEX[;ext...]" into p->remaining. */
static int parse_chunk_size(wb_http_parser *p, wb_error *err) {
    const char *q = (const char *)p->line.data;
    uint64_t n = 0;
    int digits = 0;
    for (;; q++, digits++) {
        int v;
        if (*q >= '0' && *q <= '9')
            v = *q - '0';
        else if ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')
            v = (*q | 0x20) - 'a' + 10;
        else
            break;
        if (digits >= 15)
            return fail(p, err, WB_ETOOBIG, 413, p->offset, "chunk size is too large");
        n = n * 16 + (uint64_t)v;
    }
    if (!digits)
        return fail(p, err, WB_EMALFORMED, 400, p->offset, "chunk size is not hexadecimal");
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q && *q != ';')
        return fail(p, err, WB_EMALFORMED, 400, p->offset, "junk after the chunk size");
    if (n > body_limit(p) - p->body_total)
        return fail(p, err, WB_ETOOBIG, 413, p->offset, "chunked body is over the body limit");
    p->remaining = n;
    return 0;
}

/* Room for n more bytes of a Content-Length body: doubling, but never past the declared length,
 * so the buffer ends exactly as big as the body (what a memory budget counts). Returns 1 or 0
 * (out of memory). */
static int grow_for_length(wb_http_parser *p, size_t n) {
    wb_buf *b = &p->msg.body_store;
    if (b->cap - b->len >= n)
        return 1;
    size_t total = b->len + (size_t)p->remaining, want = b->cap ? b->cap * 2 : 64;
    if (want < b->len + n)
        want = b->len + n;
    return wb_buf_grow_to(b, want < total ? want : total) == 0;
}

/* Settles how the body is taken (see wb_http_parser_stream): on the caller's word, or buffered
 * at its first byte when the caller said nothing. */
static int body_mode(wb_http_parser *p, int on, wb_error *err) {
    p->body_mode_set = 1;
    p->stream = on;
    if (p->state != ST_BODY_LEN)
        return 0; /* chunked: each chunk size is checked against the mode's limit */
    if (p->remaining > body_limit(p))
        return fail(p, err, WB_ETOOBIG, 413, p->offset, "Content-Length is over the body limit");
    /* room for the announced body, but not more than 1 MiB before the bytes arrive: a claimed
     * length alone must not cost memory */
    if (!on && wb_buf_grow_to(&p->msg.body_store,
                              (size_t)(p->remaining < (1u << 20) ? p->remaining : (1u << 20))) < 0)
        return fail(p, err, WB_ENOMEM, 500, 0, "out of memory");
    return 0;
}

int wb_http_parser_stream(wb_http_parser *p, int on, wb_error *err) {
    if (p->kind != WB_HTTP_REQUEST || !p->head_done || p->body_mode_set || p->body_total ||
        (p->state != ST_BODY_LEN && p->state != ST_CHUNK_SIZE) || p->line.len)
        return WB_ESTATE;
    return body_mode(p, on, err);
}

int wb_http_parser_take_head(wb_http_parser *p, wb_http_msg *out) {
    if (!p->stream || p->body_total || p->state == ST_ERROR || !p->msg.method)
        return WB_ESTATE;
    *out = p->msg;
    out->body_follows = 1;
    memset(&p->msg, 0, sizeof p->msg);
    return 0;
}

int wb_http_parser_feed(wb_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                        wb_error *err) {
    size_t pos = 0;
    int rc = 0, out = 0; /* out: WB_HTTP_HEAD or WB_HTTP_BODY, returned at once */
    *used = 0;
    if (p->state == ST_DONE)
        return WB_HTTP_DONE;
    if (p->state == ST_ERROR)
        return wb_error_set(err, p->err, p->offset, "parser already failed");
    while (pos < len && p->state != ST_DONE && p->state != ST_ERROR && !out) {
        size_t n = 0;
        int was = p->state;
        const uint8_t *d = data + pos;
        size_t avail = len - pos;
        if (was != ST_HEAD && !p->body_mode_set && (rc = body_mode(p, 0, err)) < 0)
            break;
        switch (p->state) {
        case ST_HEAD:
            rc = feed_head(p, d, avail, &n, err);
            if (rc == 0 && p->state != ST_HEAD && p->kind == WB_HTTP_RESPONSE &&
                p->msg.status >= 100 && p->msg.status < 200 && p->msg.status != 101) {
                int keep_no_body = p->no_body;
                wb_http_parser_next(p); /* an interim response (100 Continue): skip it */
                p->no_body = keep_no_body;
            }
            if (rc == 0 && p->stop_at_head && p->kind == WB_HTTP_REQUEST &&
                p->state != ST_HEAD && p->state != ST_DONE && p->state != ST_ERROR)
                out = WB_HTTP_HEAD;
            break;
        case ST_BODY_LEN:
        case ST_BODY_EOF:
            n = p->state == ST_BODY_LEN && avail > p->remaining ? (size_t)p->remaining : avail;
            if (p->stream) {
                p->piece = d;
                p->piece_len = n;
                out = WB_HTTP_BODY;
            } else if (p->state == ST_BODY_EOF && n > p->lim.max_body - p->msg.body_store.len) {
                rc = fail(p, err, WB_ETOOBIG, 413, p->offset, "body is over the body limit");
                break;
            } else if (p->state == ST_BODY_LEN && !grow_for_length(p, n)) {
                rc = fail(p, err, WB_ENOMEM, 500, p->offset, "out of memory");
                break;
            } else if (wb_buf_append(&p->msg.body_store, d, n) < 0) {
                rc = fail(p, err, WB_ENOMEM, 500, p->offset, "out of memory");
                break;
            }
            p->body_total += n;
            if (p->state == ST_BODY_LEN && (p->remaining -= n) == 0)
                finish(p);
            break;
        case ST_CHUNK_SIZE:
            rc = feed_line(p, d, avail, &n, CHUNK_LINE_MAX, err);
            if (rc == 1) {
                rc = parse_chunk_size(p, err);
                wb_buf_reset(&p->line);
                if (rc == 0)
                    p->state = p->remaining ? ST_CHUNK_DATA : ST_TRAILER;
            }
            break;
        case ST_CHUNK_DATA:
            n = avail > p->remaining ? (size_t)p->remaining : avail;
            if (p->stream) {
                p->piece = d;
                p->piece_len = n;
                out = WB_HTTP_BODY;
            } else if (wb_buf_append(&p->msg.body_store, d, n) < 0) {
                rc = fail(p, err, WB_ENOMEM, 500, p->offset, "out of memory");
                break;
            }
            p->body_total += n;
            if ((p->remaining -= n) == 0) {
                p->state = ST_CHUNK_CRLF;
                p->remaining = 2;
            }
            break;
        case ST_CHUNK_CRLF:
            n = 1;
            if (d[0] != (p->remaining == 2 ? '\r' : '\n')) {
                rc = fail(p, err, WB_EMALFORMED, 400, p->offset, "chunk data not followed by CRLF");
                n = 0;
            } else if (--p->remaining == 0) {
                p->state = ST_CHUNK_SIZE;
            }
            break;
        case ST_TRAILER:
            rc = feed_line(p, d, avail, &n, p->lim.max_head - p->trailer_len, err);
            if (rc == 1) {
                p->trailer_len += p->line.len;
                if (p->line.data[0] == 0)
                    finish(p);
                else if (!memchr(p->line.data, ':', p->line.len))
                    rc = fail(p, err, WB_EMALFORMED, 400, p->offset, "trailer line has no colon");
                wb_buf_reset(&p->line);
            }
            break;
        }
        pos += n;
        if (was != ST_HEAD)
            p->offset += n; /* feed_head accounts for the head itself */
        if (rc < 0)
            break;
    }
    *used = pos;
    if (p->state == ST_ERROR)
        return p->err;
    if (out)
        return out;
    return p->state == ST_DONE ? WB_HTTP_DONE : WB_HTTP_MORE;
}

int wb_http_parser_eof(wb_http_parser *p, wb_error *err) {
    if (p->state == ST_DONE)
        return WB_HTTP_DONE;
    if (p->state == ST_ERROR)
        return p->err;
    if (p->state == ST_BODY_EOF) {
        finish(p);
        return WB_HTTP_DONE;
    }
    if (p->state == ST_HEAD && p->msg.head_store.len == 0)
        return WB_HTTP_MORE;
    return fail(p, err, WB_ETRUNC, 400, p->offset,
                p->state == ST_HEAD ? "stream ended inside the message head"
                                    : "stream ended inside the message body");
}
