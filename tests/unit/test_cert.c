/* Unit tests for host/net/cert: chains built by wabot verify; every way whatsmeow rejects a chain
 * (wrong root, bad signatures, issuer serials, validity windows, leaf key) is rejected, as is
 * every single flipped byte. */
#include <time.h>

#include "check.h"
#include "core/err.h"
#include "crypto/random.h"
#include "net/cert.h"

#define NB 1700000000u
#define NA 1900000000u
#define NOW 1800000000u

typedef struct fixture {
    wb_keypair root, inter, server, other;
    wb_cert_details leaf_d, inter_d;
    const uint8_t *leaf_signer, *inter_signer;
} fixture;

static void fixture_init(fixture *f) {
    wb_keypair_generate(&f->root);
    wb_keypair_generate(&f->inter);
    wb_keypair_generate(&f->server);
    wb_keypair_generate(&f->other);
    f->inter_d = (wb_cert_details){1, 0, 1, f->inter.pub, 32, NB, NA};
    f->leaf_d = (wb_cert_details){2, 1, 1, f->server.pub, 32, NB, NA};
    f->leaf_signer = f->inter.priv;
    f->inter_signer = f->root.priv;
}

/* Builds f's chain (as modified by the test) and verifies it at now. */
static int verify_fixture(const fixture *f, uint64_t now, wb_error *e) {
    wb_buf chain = WB_BUF_INIT;
    int rc = wb_cert_chain_build_custom(&chain, &f->leaf_d, f->leaf_signer, &f->inter_d,
                                        f->inter_signer);
    CHECK_EQ(rc, 0);
    rc = wb_cert_chain_verify(chain.data, chain.len, f->root.pub, f->server.pub, now, e);
    wb_buf_free(&chain);
    return rc;
}

static void test_cert_chain_built_by_wabot_verifies(void) {
    fixture f;
    fixture_init(&f);
    wb_buf chain = WB_BUF_INIT;
    CHECK_EQ(wb_cert_chain_build(&chain, f.root.priv, &f.inter, f.server.pub, NB, NA), 0);
    wb_error e = {0};
    CHECK_EQ(wb_cert_chain_verify(chain.data, chain.len, f.root.pub, f.server.pub, NOW, &e), 0);
    CHECK_EQ(wb_cert_chain_verify(chain.data, chain.len, f.root.pub, f.server.pub, NB, &e), 0);
    CHECK_EQ(wb_cert_chain_verify(chain.data, chain.len, f.root.pub, f.server.pub, NA, &e), 0);
    CHECK_EQ(verify_fixture(&f, NOW, &e), 0);
    wb_buf_free(&chain);
}

static void test_cert_chain_encodes_intermediate_issuer_serial_zero_explicitly(void) {
    /* Details{serial=1, issuerSerial=0, ...}: field 2 must be on the wire as 10 00 */
    fixture f;
    fixture_init(&f);
    wb_buf chain = WB_BUF_INIT;
    CHECK_EQ(wb_cert_chain_build(&chain, f.root.priv, &f.inter, f.server.pub, NB, NA), 0);
    static const uint8_t details_start[] = {0x08, 0x01, 0x10, 0x00, 0x1a, 0x20};
    int found = 0;
    for (size_t i = 0; i + sizeof details_start <= chain.len; i++)
        found |= memcmp(chain.data + i, details_start, sizeof details_start) == 0;
    CHECK(found);
    wb_buf_free(&chain);
}

static void test_cert_chain_rejects_wrong_root(void) {
    fixture f;
    fixture_init(&f);
    f.inter_signer = f.other.priv;
    wb_error e = {0};
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "root") != NULL);
    /* the real WhatsApp root does not vouch for a test chain either */
    fixture_init(&f);
    wb_buf chain = WB_BUF_INIT;
    CHECK_EQ(wb_cert_chain_build(&chain, f.root.priv, &f.inter, f.server.pub, NB, NA), 0);
    CHECK_EQ(wb_cert_chain_verify(chain.data, chain.len, wb_cert_whatsapp_root, f.server.pub, NOW,
                                  NULL),
             WB_ECERT);
    wb_buf_free(&chain);
}

static void test_cert_chain_rejects_leaf_not_signed_by_intermediate(void) {
    fixture f;
    fixture_init(&f);
    f.leaf_signer = f.root.priv;
    wb_error e = {0};
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "leaf certificate signature") != NULL);
}

static void test_cert_chain_rejects_wrong_issuer_serials(void) {
    fixture f;
    wb_error e = {0};
    fixture_init(&f);
    f.inter_d.issuer_serial = 5;
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "intermediate issuer serial") != NULL);
    fixture_init(&f);
    f.inter_d.has_issuer_serial = 0; /* absent, as Baileys would also refuse */
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    fixture_init(&f);
    f.leaf_d.issuer_serial = 7;
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "leaf issuer serial") != NULL);
    fixture_init(&f);
    f.inter_d.serial = 9; /* the leaf names serial 1 */
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    fixture_init(&f);
    f.inter_d.serial = 9;
    f.leaf_d.issuer_serial = 9; /* consistent, if unusual: accepted as whatsmeow does */
    CHECK_EQ(verify_fixture(&f, NOW, &e), 0);
}

static void test_cert_chain_rejects_times_outside_validity(void) {
    fixture f;
    wb_error e = {0};
    fixture_init(&f);
    CHECK_EQ(verify_fixture(&f, NA + 1, &e), WB_ECERT); /* expired */
    CHECK_EQ(verify_fixture(&f, NB - 1, &e), WB_ECERT); /* not yet valid */
    fixture_init(&f);
    f.leaf_d.not_after = NOW - 1; /* only the leaf expired */
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "leaf certificate is not valid") != NULL);
    fixture_init(&f);
    f.inter_d.not_before = NOW + 1; /* only the intermediate not yet valid */
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "intermediate certificate is not valid") != NULL);
}

static void test_cert_chain_rejects_leaf_key_other_than_server_static(void) {
    fixture f;
    wb_error e = {0};
    fixture_init(&f);
    f.leaf_d.key = f.other.pub;
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "static") != NULL);
    fixture_init(&f);
    f.leaf_d.key_len = 31;
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    fixture_init(&f);
    f.inter_d.key_len = 33;
    CHECK_EQ(verify_fixture(&f, NOW, &e), WB_ECERT);
    CHECK(strstr(e.what, "intermediate key") != NULL);
}

static void test_cert_chain_rejects_every_flipped_byte_and_garbage(void) {
    fixture f;
    fixture_init(&f);
    wb_buf chain = WB_BUF_INIT;
    CHECK_EQ(wb_cert_chain_build(&chain, f.root.priv, &f.inter, f.server.pub, NB, NA), 0);
    for (size_t i = 0; i < chain.len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            chain.data[i] ^= (uint8_t)(1 << bit);
            int rc = wb_cert_chain_verify(chain.data, chain.len, f.root.pub, f.server.pub, NOW, NULL);
            if (rc != WB_ECERT)
                fprintf(stderr, "byte %zu bit %d accepted\n", i, bit);
            CHECK_EQ(rc, WB_ECERT);
            chain.data[i] ^= (uint8_t)(1 << bit);
        }
    }
    for (size_t cut = 0; cut < chain.len; cut++) /* every truncation */
        CHECK_EQ(wb_cert_chain_verify(chain.data, cut, f.root.pub, f.server.pub, NOW, NULL), WB_ECERT);
    CHECK_EQ(wb_cert_chain_verify((const uint8_t *)"\xff\xff\xff", 3, f.root.pub, f.server.pub, NOW, NULL),
             WB_ECERT);
    wb_buf_free(&chain);
}

int main(void) {
    if (wb_crypto_init() < 0)
        return 1;
    RUN(test_cert_chain_built_by_wabot_verifies);
    RUN(test_cert_chain_encodes_intermediate_issuer_serial_zero_explicitly);
    RUN(test_cert_chain_rejects_wrong_root);
    RUN(test_cert_chain_rejects_leaf_not_signed_by_intermediate);
    RUN(test_cert_chain_rejects_wrong_issuer_serials);
    RUN(test_cert_chain_rejects_times_outside_validity);
    RUN(test_cert_chain_rejects_leaf_key_other_than_server_static);
    RUN(test_cert_chain_rejects_every_flipped_byte_and_garbage);
    return check_summary();
}
