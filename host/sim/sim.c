/* The simulator object (sim.h): state, keys and certificate chain, the clock and stanza ids.
 * Created by the `wabot sim` command (host/cli/sim.c) through server.c, and by tests. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/random.h"
#include "net/cert.h"
#include "sim/sim_int.h"

#define CERT_BACKDATE_S 3600                 /* clocks a little behind ours still accept it */
#define CERT_LIFETIME_S (365LL * 24 * 3600)  /* rebuilt at every start */

uint64_t wb_sim_now_ms(const wb_sim *sim) {
    if (sim->opts.clock)
        return sim->opts.clock(sim->opts.clock_ud);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

int64_t wb_sim_now(const wb_sim *sim) { return (int64_t)(wb_sim_now_ms(sim) / 1000); }

void wb_sim_new_id(wb_sim *sim, char *out, size_t cap) {
    snprintf(out, cap, "%" PRIu64 "-%" PRIu64, sim->id_base, ++sim->id_seq);
}

/* The root, intermediate and Noise keys (kept in the state so that clients keep trusting the
 * root), and the chain the responder sends, valid from an hour ago for a year. */
static int setup_keys(wb_sim *sim, wb_error *err) {
    int rc;
    if ((rc = wb_sim_persist_keypair(sim, "root_key", &sim->root)) < 0 ||
        (rc = wb_sim_persist_keypair(sim, "intermediate_key", &sim->intermediate)) < 0 ||
        (rc = wb_sim_persist_keypair(sim, "noise_key", &sim->static_key)) < 0)
        return wb_error_set(err, rc, 0, "cannot load or make the simulator's keys: %s",
                            wb_strerror(rc));
    uint64_t now = (uint64_t)wb_sim_now(sim);
    rc = wb_cert_chain_build(&sim->cert_chain, sim->root.priv, &sim->intermediate,
                             sim->static_key.pub, now - CERT_BACKDATE_S, now + CERT_LIFETIME_S);
    if (rc < 0)
        return wb_error_set(err, rc, 0, "cannot build the certificate chain: %s", wb_strerror(rc));
    char fp[9];
    wb_log_fingerprint(fp, sim->root.pub, sizeof sim->root.pub);
    WB_INFO("sim", "certificate root %s", fp);
    return 0;
}

/* The stanza log holds phone numbers and JIDs: it is created 0600, an existing one is tightened
 * to 0600, and a symbolic link is refused (a link planted where the log goes would otherwise
 * make us write through it). "-" is stderr. */
static int open_stanza_log(wb_sim *sim, const char *path, wb_error *err) {
    if (!path)
        return 0;
    if (strcmp(path, "-") == 0) {
        sim->stanza_log = stderr;
        return 0;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return wb_error_set(err, WB_EIO, 0, "cannot open the stanza log %s: %s%s", path,
                            strerror(errno),
                            errno == ELOOP ? " (a symbolic link: give the file itself, or - for "
                                             "stderr)"
                                           : "");
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
        if (fchmod(fd, 0600) != 0) {
            close(fd);
            return wb_error_set(err, WB_EIO, 0, "cannot restrict the stanza log %s to mode 0600: %s",
                                path, strerror(errno));
        }
        WB_WARN("sim", "stanza log %s was readable by others; now mode 0600", path);
    }
    if (!(sim->stanza_log = fdopen(fd, "a"))) {
        close(fd);
        return wb_error_set(err, WB_EIO, 0, "cannot open the stanza log %s", path);
    }
    setvbuf(sim->stanza_log, NULL, _IOLBF, 0);
    return 0;
}

int wb_sim_new(wb_sim **out, const wb_sim_opts *opts, wb_error *err) {
    if (wb_crypto_init() < 0)
        return wb_error_set(err, WB_ECRYPTO, 0, "cannot initialise the crypto library");
    wb_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return WB_ENOMEM;
    if (opts)
        sim->opts = *opts;
    sim->opts.state_dir = NULL; /* borrowed strings are not kept */
    sim->opts.stanza_log = NULL;
    wb_arena_init(&sim->arena, 0);
    sim->id_base = wb_sim_now_ms(sim) / 1000;
    int rc;
    if ((rc = wb_sim_persist_open(sim, opts ? opts->state_dir : NULL, err)) < 0 ||
        (rc = setup_keys(sim, err)) < 0 ||
        (rc = open_stanza_log(sim, opts ? opts->stanza_log : NULL, err)) < 0)
        goto fail;
    if ((rc = wb_sim_families_init(sim)) < 0) {
        wb_error_set(err, rc, 0, "cannot start the simulator's handlers: %s", wb_strerror(rc));
        goto fail;
    }
    *out = sim;
    return 0;
fail:
    wb_sim_free(sim);
    return rc;
}

void wb_sim_free(wb_sim *sim) {
    if (!sim)
        return;
    while (sim->conns) /* the host should have freed them; never leave dangling pointers */
        wb_sim_conn_free(sim->conns);
    wb_sim_families_free(sim);
    wb_sim_accounts_free(sim);
    wb_sim_stats_free(sim);
    wb_store_close(sim->db);
    if (sim->stanza_log && sim->stanza_log != stderr)
        fclose(sim->stanza_log);
    wb_buf_free(&sim->cert_chain);
    wb_arena_free(&sim->arena);
    free(sim->media_cert_pem);
    wb_zero(sim, sizeof *sim);
    free(sim);
}

void wb_sim_root_pub(const wb_sim *sim, uint8_t out[32]) { memcpy(out, sim->root.pub, 32); }
const char *wb_sim_media_cert(const wb_sim *sim) { return sim->media_cert_pem; }

void wb_sim_set_io(wb_sim *sim, const wb_sim_io *io) { sim->io = *io; }

int wb_sim_set_endpoints(wb_sim *sim, const char *ws_url, const char *media_host,
                         const char *media_cert_pem) {
    if (ws_url)
        snprintf(sim->ws_url, sizeof sim->ws_url, "%s", ws_url);
    if (media_host)
        snprintf(sim->media_host, sizeof sim->media_host, "%s", media_host);
    if (media_cert_pem) {
        char *p = strdup(media_cert_pem);
        if (!p)
            return WB_ENOMEM;
        free(sim->media_cert_pem);
        sim->media_cert_pem = p;
    }
    return 0;
}
