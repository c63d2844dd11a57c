/* The process-wide logger of log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void stderr_sink(void *ud, wb_log_level level, const char *component, const char *line);

static wb_log_sink g_sink = stderr_sink;
static void *g_sink_ud;
static wb_log_level g_level = WB_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

static void stderr_sink(void *ud, wb_log_level level, const char *component, const char *line) {
    (void)ud;
    struct timespec ts;
    struct tm tm;
    char when[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld %-5s %s: %s\n", when, ts.tv_nsec / 1000000, level_names[level],
            component, line);
}

void wb_log_set_sink(wb_log_sink sink, void *ud) {
    g_sink = sink ? sink : stderr_sink;
    g_sink_ud = sink ? ud : NULL;
}

void wb_log_set_level(wb_log_level level) { g_level = level; }

wb_log_level wb_log_get_level(void) { return g_level; }

int wb_log_parse_level(const char *name) {
    for (int i = 0; i <= WB_LOG_OFF; i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void wb_logf(wb_log_level level, const char *component, const char *fmt, ...) {
    if (level < g_level || level >= WB_LOG_OFF)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    g_sink(g_sink_ud, level, component, line);
}

void wb_log_fingerprint(char out[9], const uint8_t *data, size_t len) {
    /* FNV-1a, 32 bits: enough to tell keys apart in a log, reveals nothing useful about them. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 16777619u;
    snprintf(out, 9, "%08x", h);
}
