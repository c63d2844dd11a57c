/* libcurl loaded on first use (curl_api.h says why). */
#include "media/curl_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#include "core/err.h"
#include "core/log.h"

const wb_curl_api *wb_curl;

static wb_curl_api api;
static int load_rc;

/* Each entry: the table slot's offset and libcurl's name for it. */
static const struct {
    size_t off;
    const char *name;
} symbols[] = {
#define SYM(field, name) {offsetof(wb_curl_api, field), name}
    SYM(global_init, "curl_global_init"),
    SYM(easy_init, "curl_easy_init"),
    SYM(easy_setopt, "curl_easy_setopt"),
    SYM(easy_getinfo, "curl_easy_getinfo"),
    SYM(easy_strerror, "curl_easy_strerror"),
    SYM(easy_cleanup, "curl_easy_cleanup"),
    SYM(multi_init, "curl_multi_init"),
    SYM(multi_setopt, "curl_multi_setopt"),
    SYM(multi_add_handle, "curl_multi_add_handle"),
    SYM(multi_remove_handle, "curl_multi_remove_handle"),
    SYM(multi_assign, "curl_multi_assign"),
    SYM(multi_socket_action, "curl_multi_socket_action"),
    SYM(multi_info_read, "curl_multi_info_read"),
    SYM(multi_cleanup, "curl_multi_cleanup"),
    SYM(slist_append, "curl_slist_append"),
    SYM(slist_free_all, "curl_slist_free_all"),
    SYM(url, "curl_url"),
    SYM(url_set, "curl_url_set"),
    SYM(url_get, "curl_url_get"),
    SYM(url_cleanup, "curl_url_cleanup"),
    SYM(free, "curl_free"),
#undef SYM
};

static void load(void) {
    /* RTLD_LOCAL: libcurl's dependencies stay out of the global namespace (GnuTLS's symbols
     * must never be taken for OpenSSL's). The handle is kept for the life of the process. */
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        WB_ERROR("media", "cannot load libcurl (Debian: libcurl4): %s", dlerror());
        load_rc = WB_EUNSUPPORTED;
        return;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *fn = dlsym(lib, symbols[i].name);
        if (!fn) {
            WB_ERROR("media", "libcurl has no %s (too old?)", symbols[i].name);
            load_rc = WB_EUNSUPPORTED;
            return;
        }
        /* POSIX guarantees a function's address survives the round trip through void * */
        *(void **)((char *)&api + symbols[i].off) = fn;
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        WB_ERROR("media", "libcurl does not initialise");
        load_rc = WB_EUNSUPPORTED;
        return;
    }
    wb_curl = &api;
}

int wb_curl_load(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load);
    return load_rc;
}
