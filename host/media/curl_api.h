/* libcurl, loaded when the first transfer needs it.
 *
 * Why not link it: Debian's libcurl4 brings LDAP, Kerberos, GnuTLS (through libldap), p11-kit,
 * SSH and more, and the dynamic loader maps and relocates all of them at process start; GnuTLS's
 * constructor even loads p11-kit's modules. That was 2.7 MB of resident memory in every wabot
 * process, most of which never moves a media file (`wabot sync --follow` idle went from 9 to
 * 12 MB). Loading libcurl.so.4 with dlopen on first use keeps that cost where media is used.
 *
 * Only host/media/http.c calls libcurl, and it does so through `wb_curl`, a table with one
 * pointer per libcurl function it needs (the names and signatures of curl/curl.h). */
#ifndef WB_MEDIA_CURL_API_H
#define WB_MEDIA_CURL_API_H

/* Calls go through pointers, so curl.h's type-checking macros (which wrap the real names) are
 * not wanted. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

typedef struct wb_curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    void (*easy_cleanup)(CURL *e);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_assign)(CURLM *m, curl_socket_t fd, void *p);
    CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t fd, int mask, int *running);
    CURLMsg *(*multi_info_read)(CURLM *m, int *left);
    CURLMcode (*multi_cleanup)(CURLM *m);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **out, unsigned int flags);
    void (*url_cleanup)(CURLU *u);
    void (*free)(void *p);
} wb_curl_api;

/* The loaded table; NULL until wb_curl_load has succeeded once. */
extern const wb_curl_api *wb_curl;

/* Loads libcurl.so.4 and initialises it (curl_global_init), once per process and thread-safe.
 * Returns 0, or WB_EUNSUPPORTED when the library or one of its functions is missing (the
 * reason is logged once; media then fails with that error and nothing else is affected). */
int wb_curl_load(void);

#endif
