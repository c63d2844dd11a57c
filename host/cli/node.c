/* `wabot node decode|encode`: one stanza between its transport payload and its JSON form
 * (binary/json.h), for debugging captures and for tests.
 *
 *   wabot node decode [--xml] [--pretty] < payload    flag byte first, zlib when flag & 2
 *   wabot node encode < node.json > payload            writes flag byte 0, uncompressed
 *
 * Bad input exits 1 with one line on stderr naming the problem and, when it has one, the byte:
 * `wabot: node decode: byte 17: unknown tag 243`. */
#include <stdio.h>
#include <string.h>

#include "binary/codec.h"
#include "binary/json.h"
#include "binary/print.h"
#include "cli/cli.h"

#define JSON_INPUT_MAX ((size_t)64 << 20)

static void node_usage(FILE *out) {
    fprintf(out, "usage: wabot node decode [--xml] [--pretty] < payload\n"
                 "       wabot node encode < node.json > payload\n\n"
                 "decode reads one transport payload (flag byte first, zlib-inflated when the\n"
                 "flag has bit 2) and prints the node as JSON, or with --xml as text for logs.\n"
                 "encode reads that JSON and writes an uncompressed payload (flag byte 0).\n"
                 "JSON form: {\"tag\": \"iq\", \"attrs\": {\"id\": \"1\"}, \"content\": [nodes] |\n"
                 "\"text\" | {\"base64\": \"...\"}}, content absent when the node has none.\n");
}

/* Reads all of stdin, refusing more than max bytes. Returns 0, or 1 after printing an error. */
static int read_stdin(wb_buf *in, size_t max, const char *what) {
    for (;;) {
        if (wb_buf_reserve(in, 65536) < 0) {
            wb_cli_fail("node %s: out of memory", what);
            return 1;
        }
        size_t n = fread(in->data + in->len, 1, in->cap - in->len, stdin);
        in->len += n;
        if (in->len > max) {
            wb_cli_fail("node %s: input over %zu bytes", what, max);
            return 1;
        }
        if (n == 0)
            break;
    }
    if (ferror(stdin)) {
        wb_cli_fail("node %s: cannot read stdin", what);
        return 1;
    }
    return 0;
}

static int write_stdout(const wb_buf *out) {
    if (fwrite(out->data, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
        wb_cli_fail("node: cannot write stdout");
        return 1;
    }
    return 0;
}

static int node_decode(int xml, int pretty) {
    wb_buf in = WB_BUF_INIT, out = WB_BUF_INIT;
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_error e = {0};
    wb_node *n;
    int status = read_stdin(&in, WB_NODE_MAX_PAYLOAD + 1, "decode");
    if (status)
        goto done;
    int rc = wb_node_decode_payload(&a, in.data, in.len, &n, &e);
    if (rc < 0) {
        wb_cli_fail("node decode: byte %zu: %s", e.offset, e.what);
        status = 1;
        goto done;
    }
    rc = xml ? wb_node_print(n, &out, pretty ? WB_PRINT_INDENT : 0)
             : wb_node_to_json(n, &out, pretty ? WB_JSON_PRETTY : 0);
    if (rc < 0 || wb_buf_put_u8(&out, '\n') < 0) {
        wb_cli_fail("node decode: %s", wb_strerror(rc < 0 ? rc : WB_ENOMEM));
        status = 1;
        goto done;
    }
    status = write_stdout(&out);
done:
    wb_buf_free(&in);
    wb_buf_free(&out);
    wb_arena_free(&a);
    return status;
}

static int node_encode(void) {
    wb_buf in = WB_BUF_INIT, out = WB_BUF_INIT;
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_error e = {0};
    wb_node *n;
    int status = read_stdin(&in, JSON_INPUT_MAX, "encode");
    if (status)
        goto done;
    int rc = wb_node_from_json(&a, in.len ? (const char *)in.data : "", in.len, &n, &e);
    if (rc < 0) {
        if (e.offset == SIZE_MAX)
            wb_cli_fail("node encode: %s", e.what);
        else
            wb_cli_fail("node encode: byte %zu: %s", e.offset, e.what);
        status = 1;
        goto done;
    }
    if ((rc = wb_node_encode_payload(n, &out)) < 0) {
        wb_cli_fail("node encode: %s", wb_strerror(rc));
        status = 1;
        goto done;
    }
    status = write_stdout(&out);
done:
    wb_buf_free(&in);
    wb_buf_free(&out);
    wb_arena_free(&a);
    return status;
}

int wb_cli_node(int argc, char **argv) {
    int xml = 0, pretty = 0;
    const char *verb = argc > 1 ? argv[1] : NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--xml") == 0)
            xml = 1;
        else if (strcmp(argv[i], "--pretty") == 0)
            pretty = 1;
        else {
            wb_cli_fail("node: unknown option '%s'", argv[i]);
            return 2;
        }
    }
    if (verb && strcmp(verb, "decode") == 0)
        return node_decode(xml, pretty);
    if (verb && strcmp(verb, "encode") == 0 && !xml && !pretty)
        return node_encode();
    if (verb && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
        node_usage(stdout);
        return 0;
    }
    node_usage(stderr);
    return 2;
}
