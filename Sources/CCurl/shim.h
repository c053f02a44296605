#ifndef SIDECAR_CCURL_SHIM_H
#define SIDECAR_CCURL_SHIM_H
/*
 * libcurl, loaded only when a driver needs it (the etcd DCS): sidecar does not link it, so a daemon on the local
 * DCS, and every CLI command, never maps libcurl and its TLS stack (GnuTLS/OpenSSL, Kerberos, LDAP...: about
 * 4.5 MB of resident memory and a few ms of start-up). The functions sidecar uses are looked up once with dlsym,
 * under pthread_once; curl_easy_setopt / curl_easy_getinfo are variadic, which Swift cannot call: typed wrappers.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_perform)(CURL *);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    int loaded;
    char error[256];
} sidecar_curl_api;

/* Function-local statics: Swift emits the inline functions it calls, with their statics, but not file-level globals. */
static inline sidecar_curl_api *sidecar_curl_api_table(void) {
    static sidecar_curl_api table;
    return &table;
}

static inline void sidecar_curl_load_once(void) {
    sidecar_curl_api *api = sidecar_curl_api_table();
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(api->error, sizeof api->error, "%s", dlerror());
        return;
    }
#define SIDECAR_CURL_SYMBOL(field, name)                                                          \
    if (!(*(void **)&api->field = dlsym(library, name))) {                                        \
        snprintf(api->error, sizeof api->error, "libcurl.so.4 has no %s", name);                  \
        return;                                                                                   \
    }
    SIDECAR_CURL_SYMBOL(global_init, "curl_global_init")
    SIDECAR_CURL_SYMBOL(easy_init, "curl_easy_init")
    SIDECAR_CURL_SYMBOL(easy_setopt, "curl_easy_setopt")
    SIDECAR_CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
    SIDECAR_CURL_SYMBOL(easy_perform, "curl_easy_perform")
    SIDECAR_CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
    SIDECAR_CURL_SYMBOL(easy_strerror, "curl_easy_strerror")
    SIDECAR_CURL_SYMBOL(slist_append, "curl_slist_append")
    SIDECAR_CURL_SYMBOL(slist_free_all, "curl_slist_free_all")
#undef SIDECAR_CURL_SYMBOL
    if (api->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(api->error, sizeof api->error, "curl_global_init failed");
        return;
    }
    api->loaded = 1;
}

/* Loads libcurl (once); NULL when it is ready, else why not (to show the operator). */
static inline const char *sidecar_curl_load(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sidecar_curl_load_once);
    return sidecar_curl_api_table()->loaded ? NULL : sidecar_curl_api_table()->error;
}

/* Valid only after sidecar_curl_load() returned NULL. */
static inline CURL *sidecar_curl_easy_init(void) { return sidecar_curl_api_table()->easy_init(); }
static inline CURLcode sidecar_curl_easy_perform(CURL *h) { return sidecar_curl_api_table()->easy_perform(h); }
static inline void sidecar_curl_easy_cleanup(CURL *h) { sidecar_curl_api_table()->easy_cleanup(h); }
static inline const char *sidecar_curl_easy_strerror(CURLcode c) { return sidecar_curl_api_table()->easy_strerror(c); }
static inline struct curl_slist *sidecar_curl_slist_append(struct curl_slist *l, const char *s) { return sidecar_curl_api_table()->slist_append(l, s); }
static inline void sidecar_curl_slist_free_all(struct curl_slist *l) { sidecar_curl_api_table()->slist_free_all(l); }

static inline CURLcode sidecar_curl_setopt_long(CURL *h, CURLoption o, long v) { return sidecar_curl_api_table()->easy_setopt(h, o, v); }
static inline CURLcode sidecar_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return sidecar_curl_api_table()->easy_setopt(h, o, v); }
static inline CURLcode sidecar_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return sidecar_curl_api_table()->easy_setopt(h, o, v); }
static inline CURLcode sidecar_curl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return sidecar_curl_api_table()->easy_setopt(h, o, v); }
static inline CURLcode sidecar_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return sidecar_curl_api_table()->easy_setopt(h, o, v); }
typedef size_t (*sidecar_curl_write_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode sidecar_curl_setopt_write_callback(CURL *h, sidecar_curl_write_callback cb) {
    return sidecar_curl_api_table()->easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
}
static inline CURLcode sidecar_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return sidecar_curl_api_table()->easy_getinfo(h, i, v); }
static inline CURLcode sidecar_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return sidecar_curl_api_table()->easy_getinfo(h, i, v); }
static inline CURLcode sidecar_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return sidecar_curl_api_table()->easy_getinfo(h, i, v); }

#endif
