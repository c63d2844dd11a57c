/* Unit tests for host/runtime: generations, transactional reload, draining, the scheduler and its
 * calls (against a fake session), events across swaps, the watchdog, the memory limit, timers,
 * file watching, the sandbox. The fixture is runtime_fixture.h. */
#include <fcntl.h>

#include "runtime_fixture.h"

static wb_rt *rt;

static wb_rt *start(const char *bot, void (*tweak)(wb_rt_config *)) {
    fx_write("bot.lua", bot);
    wb_rt_config c;
    fx_config(&c);
    if (tweak)
        tweak(&c);
    wb_rt *r = NULL;
    wb_error err = {0};
    int rc = wb_rt_new(&r, &c, &err);
    if (rc < 0)
        fprintf(stderr, "  wb_rt_new: %s\n", err.what);
    CHECK_EQ(rc, 0);
    return r;
}

static wb_rt_stats stats(void) {
    wb_rt_stats s;
    wb_rt_stats_get(rt, &s);
    return s;
}

static int want_records;
static int enough_records(void) { return fx_rec_count >= want_records; }
static unsigned want_loads;
static int enough_loads(void) { return fx_loads + fx_load_fails >= want_loads; }

static void post_n(const char *name, int n) {
    CHECK_EQ(wb_rt_post_event(rt, name, fx_push_n, fx_free_n, (void *)(intptr_t)n), 0);
}

/* ---- events and listeners ------------------------------------------------------------------- */

static void test_event_reaches_every_listener_in_its_own_coroutine(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "wabot.sock.ev:on('messages.upsert', function(e) test.record('a', e.n, coroutine.isyieldable()) end)\n"
               "wabot.sock.ev:on('messages.upsert', function(e) test.record('b', e.n) end)\n"
               "wabot.sock.ev:on('other', function(e) test.record('other') end)\n",
               NULL);
    post_n("messages.upsert", 7);
    CHECK_EQ(fx_rec_count, 0); /* never inside the poster's call */
    want_records = 2;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("a 7 true"));
    CHECK(fx_recorded("b 7"));
    CHECK(!fx_recorded("other"));
    CHECK_EQ(fx_frees, 1);
    /* an event nobody listens to is freed without a payload being built */
    post_n("nobody.listens", 1);
    fx_run_until(NULL, 20);
    CHECK_EQ(fx_frees, 2);
    CHECK_EQ(stats().events_delivered, 2);
    fx_teardown(rt);
}

static void test_erroring_listener_does_not_stop_the_others(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "wabot.sock.ev:on('x', function(e) error('boom ' .. e.n) end)\n"
               "wabot.sock.ev:on('x', function(e) local t = nil; return t.field end)\n"
               "wabot.sock.ev:on('x', function(e) test.record('third', e.n) end)\n",
               NULL);
    post_n("x", 1);
    post_n("x", 2);
    want_records = 2;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("third 1"));
    CHECK(fx_recorded("third 2"));
    CHECK_EQ(stats().tasks_failed, 4);
    CHECK(fx_logged("bot.lua:2: boom 1"));
    CHECK(fx_logged("stack traceback"));
    CHECK(fx_logged("bot.lua:3: attempt to index a nil value"));
    fx_teardown(rt);
}

static void test_once_off_and_emit_follow_baileys(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "local ev = wabot.sock.ev\n"
               "ev:once('x', function(e) test.record('once', e.n) end)\n"
               "local function f(e) test.record('f', e.n) end\n"
               "ev:on('x', f)\n"
               "ev:on('x', function(e) if e.n == 1 then ev:off('x', f) end end)\n"
               "ev:on('custom', function(a, b) test.record('custom', a, b) end)\n"
               "wabot.spawn(function() ev:emit('custom', 1, 2) end)\n",
               NULL);
    post_n("x", 1);
    want_records = 3;
    CHECK(fx_run_until(enough_records, 2000));
    post_n("x", 2);
    fx_run_until(NULL, 30);
    CHECK(fx_recorded("once 1"));
    CHECK(!fx_recorded("once 2"));
    CHECK(fx_recorded("f 1"));
    CHECK(!fx_recorded("f 2"));
    CHECK(fx_recorded("custom 1 2"));
    fx_teardown(rt);
}

/* ---- loading and reloading ------------------------------------------------------------------ */

static void test_first_load_errors_name_file_and_line(void) {
    fx_setup();
    fx_write("bot.lua", "local x = \n  = 1\n");
    wb_rt_config c;
    fx_config(&c);
    wb_rt *r = NULL;
    wb_error err = {0};
    CHECK_EQ(wb_rt_new(&r, &c, &err), WB_EMALFORMED);
    CHECK(strstr(err.what, "bot.lua:2:") != NULL);
    fx_write("bot.lua", "local t = {}\nlocal y = t.a.b\n");
    memset(&err, 0, sizeof err);
    CHECK_EQ(wb_rt_new(&r, &c, &err), WB_EMALFORMED);
    CHECK(strstr(err.what, "bot.lua:2:") != NULL);
    snprintf(fx_bot, sizeof fx_bot, "%s/missing.lua", fx_dir);
    CHECK_EQ(wb_rt_new(&r, &c, &err), WB_EIO);
    fx_teardown(NULL);
}

static const char *versioned_bot =
    "local test = require 'test'\n"
    "wabot.sock.ev:on('x', function(e) test.record('v%d', wabot.generation(), e.n) end)\n";

static void write_version(int v) {
    char bot[512];
    snprintf(bot, sizeof bot, versioned_bot, v);
    fx_write("bot.lua", bot);
}

static void test_broken_reload_keeps_the_old_generation_and_next_save_retries(void) {
    fx_setup();
    char bot[512];
    snprintf(bot, sizeof bot, versioned_bot, 1);
    rt = start(bot, NULL);
    fx_write("bot.lua", "local test = require 'test'\nwabot.sock.ev:on('x', function( end)\n");
    wb_rt_reload(rt);
    want_loads = 2;
    CHECK(fx_run_until(enough_loads, 2000));
    CHECK_EQ(fx_load_fails, 1);
    CHECK(strstr(fx_load_error, "bot.lua:2:") != NULL);
    CHECK(fx_logged("reload failed, generation 1 keeps running"));
    post_n("x", 1);
    want_records = 1;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("v1 1 1"));
    /* a top-level runtime error is refused the same way */
    fx_write("bot.lua", "local test = require 'test'\nwabot.sock.ev:on('x', print)\nerror('no')\n");
    wb_rt_reload(rt);
    want_loads = 3;
    CHECK(fx_run_until(enough_loads, 2000));
    CHECK(strstr(fx_load_error, "bot.lua:3: no") != NULL);
    write_version(4);
    wb_rt_reload(rt);
    want_loads = 4;
    CHECK(fx_run_until(enough_loads, 2000));
    post_n("x", 2);
    want_records = 2;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("v4 4 2"));
    CHECK_EQ(stats().current_gen, 4);
    CHECK_EQ(stats().loads_failed, 2);
    fx_run_until(NULL, 20);
    CHECK_EQ(stats().gens_alive, 1);
    fx_teardown(rt);
}

static int all_delivered_n;
static int all_events_handled(void) { return fx_rec_count >= all_delivered_n; }

struct storm {
    int next, total, reloads;
    uv_timer_t h;
};

static void on_storm_tick(uv_timer_t *h) {
    struct storm *s = h->data;
    for (int i = 0; i < 10 && s->next < s->total; i++)
        post_n("x", s->next++);
    if (s->next % 50 == 0 && s->reloads < 20) {
        s->reloads++;
        write_version(s->reloads + 1);
        wb_rt_reload(rt);
    }
    if (s->next >= s->total)
        uv_timer_stop(h);
}

static void test_events_during_reloads_are_delivered_exactly_once(void) {
    fx_setup();
    char bot[512];
    snprintf(bot, sizeof bot, versioned_bot, 1);
    rt = start(bot, NULL);
    struct storm s = {0, 1000, 0, {0}};
    uv_timer_init(&fx_loop, &s.h);
    s.h.data = &s;
    uv_timer_start(&s.h, on_storm_tick, 1, 1);
    all_delivered_n = 1000;
    CHECK(fx_run_until(all_events_handled, 10000));
    uv_close((uv_handle_t *)&s.h, NULL);
    fx_run_until(NULL, 20);
    CHECK_EQ(fx_rec_count, 1000);
    /* every n exactly once, each by whichever generation was current */
    int missing = 0;
    for (int n = 0; n < 1000; n++) {
        char tail[32];
        int found = 0;
        snprintf(tail, sizeof tail, " %d\n", n);
        for (const char *p = fx_rec; (p = strstr(p, tail)); p++)
            found++;
        if (found != 1)
            missing++;
    }
    CHECK_EQ(missing, 0);
    CHECK(stats().loads_ok >= 15);
    CHECK_EQ(fx_frees, 1000);
    fx_teardown(rt);
}

static void test_on_reload_runs_in_the_old_generation_and_wabot_reload_works(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "wabot.on_reload(function() test.record('bye from', wabot.generation()) end)\n"
               "test.record('hello from', wabot.generation())\n"
               "wabot.sock.ev:on('reload', function() wabot.reload() end)\n",
               NULL);
    post_n("reload", 0);
    want_records = 3;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("hello from 1"));
    CHECK(fx_recorded("hello from 2"));
    CHECK(fx_recorded("bye from 1"));
    CHECK(!fx_recorded("bye from 2"));
    fx_teardown(rt);
}

static void test_sighup_reloads(void) {
    fx_setup();
    rt = start("require('test').record('gen', wabot.generation())\n", NULL);
    fx_teardown(rt);
    /* with handle_sighup */
    fx_setup();
    fx_write("bot.lua", "require('test').record('gen', wabot.generation())\n");
    wb_rt_config c;
    fx_config(&c);
    c.handle_sighup = 1;
    CHECK_EQ(wb_rt_new(&rt, &c, NULL), 0);
    raise(SIGHUP);
    want_records = 2;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("gen 2"));
    fx_teardown(rt);
}

/* ---- draining ------------------------------------------------------------------------------- */

static void test_old_generation_drains_its_pending_calls(void) {
    fx_setup();
    fx_send_delay_ms = 100;
    rt = start("local test = require 'test'\n"
               "wabot.sock.ev:on('x', function(e)\n"
               "  local r, err = wabot.sock:sendMessage('a@s.whatsapp.net', {text = 'hi'})\n"
               "  test.record('sent in', wabot.generation(), r.key.id)\n"
               "end)\n",
               NULL);
    post_n("x", 1);
    fx_run_until(NULL, 10); /* the listener is waiting on its send */
    CHECK_EQ(fx_sends, 1);
    wb_rt_reload(rt);
    fx_run_until(NULL, 10);
    CHECK_EQ(stats().current_gen, 2);
    CHECK_EQ(stats().gens_alive, 2); /* gen 1 drains */
    want_records = 1;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("sent in 1 FAKE1"));
    fx_run_until(NULL, 10);
    CHECK_EQ(stats().gens_alive, 1);
    CHECK_EQ(stats().calls_abandoned, 0);
    fx_send_delay_ms = 2;
    fx_teardown(rt);
}

static void short_drain(wb_rt_config *c) { c->drain_ms = 30; }

static int sends_done(void) { return fx_sends_done >= 1; }

static void test_drain_deadline_abandons_calls_and_late_completion_only_frees(void) {
    fx_setup();
    fx_send_delay_ms = 300;
    rt = start("local test = require 'test'\n"
               "wabot.sock.ev:on('x', function(e)\n"
               "  wabot.sock:sendMessage('a@s.whatsapp.net', {text = 'hi'})\n"
               "  test.record('never')\n"
               "end)\n",
               short_drain);
    post_n("x", 1);
    fx_run_until(NULL, 10);
    wb_rt_reload(rt);
    fx_run_until(NULL, 100);
    CHECK_EQ(stats().gens_alive, 1);
    CHECK_EQ(stats().calls_abandoned, 1);
    CHECK_EQ(fx_sends_abandoned, 1);
    CHECK(fx_logged("did not drain within 30 ms"));
    CHECK(fx_run_until(sends_done, 2000)); /* the late completion frees the call (ASan checks) */
    CHECK(!fx_recorded("never"));
    fx_send_delay_ms = 2;
    fx_teardown(rt);
}

/* Tracked events: done(ud, handled) once, after the listeners ended (the durability rule). */
static int done_calls[8], done_handled[8];
static void on_done(void *ud, int handled) {
    int i = (int)(intptr_t)ud;
    done_calls[i]++;
    done_handled[i] = handled;
}
static int done_0(void) { return done_calls[0] > 0; }
static int done_3(void) { return done_calls[3] > 0; }

static void post_tracked(const char *name, int i) {
    CHECK_EQ(wb_rt_post_event_tracked(rt, name, fx_push_n, on_done, (void *)(intptr_t)i), 0);
}

static void test_tracked_events_are_done_when_their_listeners_end(void) {
    fx_setup();
    memset(done_calls, 0, sizeof done_calls);
    rt = start("local test = require 'test'\n"
               "wabot.sock.ev:on('x', function(e) wabot.sleep(30); test.record('slept', e.n) end)\n"
               "wabot.sock.ev:on('x', function(e) if e.n == 1 then error('boom') end end)\n"
               "wabot.sock.ev:on('y', function(e) wabot.sleep(100000) end)\n",
               short_drain);
    post_tracked("x", 0);
    fx_run_until(NULL, 10);
    CHECK_EQ(done_calls[0], 0); /* one listener still sleeps */
    CHECK(fx_run_until(done_0, 2000));
    CHECK(fx_recorded("slept 0"));
    CHECK_EQ(done_handled[0], 1);
    post_tracked("x", 1); /* a listener that raises has ended too */
    post_tracked("nobody", 2);
    want_records = 2;
    CHECK(fx_run_until(enough_records, 2000));
    fx_run_until(NULL, 10);
    CHECK_EQ(done_calls[1], 1);
    CHECK_EQ(done_handled[1], 1);
    CHECK_EQ(done_calls[2], 1);
    CHECK_EQ(done_handled[2], 1);
    /* a listener dropped unfinished (its generation did not drain): not handled */
    post_tracked("y", 3);
    fx_run_until(NULL, 10);
    wb_rt_reload(rt);
    CHECK(fx_run_until(done_3, 2000));
    CHECK_EQ(done_handled[3], 0);
    /* queued when the runtime closes: not handled */
    post_tracked("x", 4);
    wb_rt_close(rt);
    CHECK_EQ(done_calls[4], 1);
    CHECK_EQ(done_handled[4], 0);
    fx_teardown(NULL);
}

static void spec_globals(wb_rt_config *c) { c->globals_module = "test"; }

static void test_globals_module_fields_become_globals(void) {
    fx_setup();
    rt = start("record('global', type(wabot))\n", spec_globals);
    CHECK(fx_recorded("global table"));
    fx_teardown(rt);
}

/* ---- calls ---------------------------------------------------------------------------------- */

static void test_calls_return_results_failures_and_refuse_where_they_cannot_wait(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "local sock = wabot.sock\n"
               "local ok, err = pcall(sock.sendMessage, sock, 'a@s.whatsapp.net', {text = 'x'})\n"
               "test.record('top level', ok, tostring(err):find('cannot wait at the top level', 1, true) ~= nil)\n"
               "sock.ev:on('x', function()\n"
               "  local r = sock:sendMessage('a@s.whatsapp.net', {text = 'one'})\n"
               "  test.record('ok', r.key.id, r.key.fromMe)\n"
               "  local r2, msg, code = sock:sendMessage('fail@s.whatsapp.net', {text = 'two'})\n"
               "  test.record('fail', r2, msg, code)\n"
               "  local r3 = sock:sendMessage('sync@s.whatsapp.net', {text = 'three'})\n"
               "  test.record('sync', r3.key.id)\n"
               "  local co = coroutine.wrap(function() return pcall(wabot.sleep, 1) end)\n"
               "  local ok2, e2 = co()\n"
               "  test.record('in own coroutine', ok2, (tostring(e2):find('cannot wait here') ~= nil))\n"
               "  local ok3, e3 = pcall(sock.sendMessage, sock, {}, {})\n"
               "  test.record('misuse', ok3)\n"
               "  local ok4 = pcall(table.sort, {3, 2, 1}, function(a, b) wabot.sleep(1) return a < b end)\n"
               "  test.record('in sort', ok4)\n"
               "  test.record('done')\n"
               "end)\n",
               NULL);
    CHECK(fx_recorded("top level false true"));
    post_n("x", 1);
    want_records = 8;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("ok FAKE1 true"));
    CHECK(fx_recorded("fail nil server error ESERVER"));
    CHECK(fx_recorded("sync FAKE3"));
    CHECK(fx_recorded("in own coroutine false true"));
    CHECK(fx_recorded("misuse false"));
    CHECK(fx_recorded("in sort false"));
    CHECK(fx_recorded("done"));
    fx_teardown(rt);
}

/* ---- the watchdog --------------------------------------------------------------------------- */

static void short_budget(wb_rt_config *c) {
    c->budget_ms = 300;
    c->slice_ms = 10;
}

struct keepalive {
    uv_timer_t h;
    uint64_t last, max_gap;
    int fired;
};

static void on_keepalive(uv_timer_t *h) {
    struct keepalive *k = h->data;
    uint64_t now = uv_hrtime();
    if (k->last && now - k->last > k->max_gap)
        k->max_gap = now - k->last;
    k->last = now;
    k->fired++;
}

static int killed_three(void) { return stats().tasks_killed >= 3 && fx_rec_count >= 1; }

static void test_runaway_listeners_are_stopped_and_the_loop_keeps_running(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "local ev = wabot.sock.ev\n"
               "ev:on('spin', function() while true do end end)\n"
               "ev:on('spin_pcall', function() while true do pcall(function() while true do end end) end end)\n"
               "ev:on('spin_nested', function()\n"
               "  local co = coroutine.wrap(function() while true do end end)\n"
               "  while true do co() end\n"
               "end)\n"
               "ev:on('after', function() test.record('still answering') end)\n",
               short_budget);
    struct keepalive k = {0};
    uv_timer_init(&fx_loop, &k.h);
    k.h.data = &k;
    uv_timer_start(&k.h, on_keepalive, 20, 20); /* a keepalive every 20 ms */
    post_n("spin", 0);
    post_n("spin_pcall", 0);
    post_n("spin_nested", 0);
    post_n("after", 0);
    uint64_t t0 = uv_hrtime();
    CHECK(fx_run_until(killed_three, 5000));
    double ms = (double)(uv_hrtime() - t0) / 1e6;
    uv_close((uv_handle_t *)&k.h, NULL);
    fprintf(stderr, "  3 runaway listeners of 300 ms each stopped in %.0f ms; keepalive every 20 ms "
                    "fired %d times, longest gap %.1f ms\n",
            ms, k.fired, (double)k.max_gap / 1e6);
    CHECK(fx_recorded("still answering"));
    CHECK(fx_logged("stopped: ran longer than 300 ms without yielding"));
    CHECK_EQ(stats().tasks_killed, 3);
    CHECK(stats().tasks_preempted > 10);
    /* The keepalive timer kept its schedule: the loop was never blocked for a budget (300 ms),
     * only for about a slice (10 ms; the gap is ~30 ms on an idle machine). The bounds leave room
     * for a loaded CI machine without letting a blocked loop pass. */
    CHECK(k.max_gap < 150u * 1000000u);
    CHECK(k.fired >= (int)(ms / 20) / 3);
    fx_teardown(rt);
}

static void test_runaway_top_level_is_refused(void) {
    fx_setup();
    fx_write("bot.lua", "while true do pcall(function() while true do end end) end\n");
    wb_rt_config c;
    fx_config(&c);
    c.load_budget_ms = 100;
    wb_error err = {0};
    CHECK_EQ(wb_rt_new(&rt, &c, &err), WB_EMALFORMED);
    CHECK(strstr(err.what, "ran longer than 100 ms") != NULL);
    fx_teardown(NULL);
}

/* ---- memory --------------------------------------------------------------------------------- */

static void small_memory(wb_rt_config *c) { c->mem_limit = 8u << 20; }

static void test_unbounded_allocation_gets_an_error_not_the_host_killed(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "wabot.sock.ev:on('grow', function()\n"
               "  local t = {}\n"
               "  while true do t[#t + 1] = string.rep('x', 1000) .. #t end\n"
               "end)\n"
               "wabot.sock.ev:on('after', function() test.record('after', #string.rep('y', 100000)) end)\n",
               small_memory);
    post_n("grow", 0);
    post_n("after", 0);
    want_records = 1;
    CHECK(fx_run_until(enough_records, 5000));
    CHECK(fx_recorded("after 100000"));
    CHECK(fx_logged("not enough memory"));
    CHECK_EQ(stats().tasks_failed, 1);
    fx_teardown(rt);
}

/* ---- timers --------------------------------------------------------------------------------- */

static void test_timers_sleep_and_clear(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "wabot.setTimeout(5, function() test.record('timeout') end)\n"
               "local n = 0\n"
               "local id\n"
               "id = wabot.setInterval(2, function() n = n + 1; if n == 3 then test.record('cleared', wabot.clearTimer(id)) end end)\n"
               "local dead = wabot.setTimeout(1, function() test.record('never') end)\n"
               "wabot.clearTimer(dead)\n"
               "wabot.spawn(function() local t = os.clock(); wabot.sleep(20); test.record('slept') end)\n",
               NULL);
    want_records = 3;
    CHECK(fx_run_until(enough_records, 2000));
    fx_run_until(NULL, 30);
    CHECK(fx_recorded("timeout"));
    CHECK(fx_recorded("cleared true"));
    CHECK(fx_recorded("slept"));
    CHECK(!fx_recorded("never"));
    CHECK_EQ(fx_rec_count, 3);
    fx_teardown(rt);
}

static void test_timers_die_with_their_generation(void) {
    fx_setup();
    rt = start("local test = require 'test'\n"
               "local g = wabot.generation()\n"
               "wabot.setInterval(3, function() test.record('tick', g) end)\n",
               NULL);
    want_records = 3;
    CHECK(fx_run_until(enough_records, 2000));
    fx_write("bot.lua", "require('test').record('quiet')\n");
    wb_rt_reload(rt);
    want_records = fx_rec_count + 1;
    CHECK(fx_run_until(enough_records, 2000));
    int before = fx_count_recorded("tick 1");
    fx_run_until(NULL, 40);
    CHECK_EQ(fx_count_recorded("tick 1"), before);
    CHECK_EQ(stats().gens_alive, 1);
    fx_teardown(rt);
}

/* ---- file watching -------------------------------------------------------------------------- */

/* File watching on, with quiet_ms as the quiet time for changes that are not saves. */
static unsigned quiet_ms = 20;
static void watching(wb_rt_config *c) {
    c->no_reload = 0;
    c->debounce_ms = quiet_ms;
}

static void test_saving_the_bot_or_a_module_beside_it_reloads(void) {
    fx_setup();
    fx_write("helper.lua", "return { word = 'one' }\n");
    rt = start("local test = require 'test'\n"
               "test.record('loaded', wabot.generation(), require('helper').word)\n",
               watching);
    CHECK(fx_recorded("loaded 1 one"));
    fx_run_until(NULL, 30);
    fx_write("helper.lua", "return { word = 'two' }\n");
    want_records = 2;
    CHECK(fx_run_until(enough_records, 3000));
    CHECK(fx_recorded("loaded 2 two"));
    /* a save by rename (editors write a new file and move it over the old one) */
    fx_write("bot.tmp", "require('test').record('renamed', wabot.generation())\n");
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/bot.tmp", fx_dir);
    snprintf(to, sizeof to, "%s/bot.lua", fx_dir);
    CHECK_EQ(rename(from, to), 0);
    want_records = 3;
    CHECK(fx_run_until(enough_records, 3000));
    CHECK(fx_recorded("renamed 3"));
    /* a burst of writes is one reload */
    unsigned loads = fx_loads;
    for (int i = 0; i < 5; i++)
        fx_write("bot.lua", "require('test').record('burst', wabot.generation())\n");
    want_records = 4;
    CHECK(fx_run_until(enough_records, 3000));
    fx_run_until(NULL, 60);
    CHECK_EQ(fx_loads, loads + 1);
    /* other files in the directory do not reload */
    fx_write("notes.txt", "x");
    fx_run_until(NULL, 60);
    CHECK_EQ(fx_loads, loads + 1);
    fx_teardown(rt);
}

/* Saves end with the file closed or renamed onto its name; with the quiet time for anything else
 * set far beyond the test's patience (saves_only), a reload that happens proves the save was seen
 * as one. */
static void saves_only(wb_rt_config *c) {
    quiet_ms = 60000;
    watching(c);
    quiet_ms = 20;
}

static void path_of(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", fx_dir, name);
}

static void test_a_half_written_bot_is_never_loaded(void) {
    fx_setup();
    rt = start("require('test').record('version', 1)\n", saves_only);
    CHECK(fx_recorded("version 1"));
    /* written in place in two parts, each a valid bot on its own, the file kept open between */
    char path[600];
    path_of(path, sizeof path, "bot.lua");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) {
        fx_teardown(rt);
        return;
    }
    fputs("require('test').record('first half')\n", f);
    fflush(f);
    fx_run_until(NULL, 150);
    CHECK_EQ(fx_loads, 1u);
    fputs("require('test').record('version', 2)\n", f);
    fflush(f);
    fx_run_until(NULL, 50);
    CHECK_EQ(fx_loads, 1u);
    fclose(f); /* the save ends: reloaded at once, the whole file */
    want_loads = 2;
    CHECK(fx_run_until(enough_loads, 3000));
    CHECK(fx_recorded("version 2"));
    CHECK_EQ(fx_count_recorded("first half"), 1); /* once: by the load of the whole file */
    CHECK_EQ(fx_loads, 2u);
    /* truncated and closed, written only later (`: > bot.lua`, then the text): the empty file
     * closed is not a save, however long the writer pauses */
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    fx_run_until(NULL, 100);
    CHECK_EQ(fx_loads, 2u);
    fx_write("bot.lua", "require('test').record('version', 3)\n");
    want_loads = 3;
    CHECK(fx_run_until(enough_loads, 3000));
    CHECK(fx_recorded("version 3"));
    fx_teardown(rt);
}

static void test_an_editors_save_is_one_reload(void) {
    fx_setup();
    rt = start("require('test').record('version', 1)\n", saves_only);
    char path[600], backup[600], tmp[600];
    path_of(path, sizeof path, "bot.lua");
    path_of(backup, sizeof backup, "bot.lua~");
    path_of(tmp, sizeof tmp, ".bot.lua.swp");
    /* vim: the old file renamed to a backup, a new one written and closed, its mode set, the
     * backup removed; a swap file written beside it all along */
    fx_write(".bot.lua.swp", "swap");
    CHECK_EQ(rename(path, backup), 0);
    fx_write("bot.lua", "require('test').record('version', 2)\n");
    CHECK_EQ(chmod(path, 0600), 0);
    CHECK_EQ(unlink(backup), 0);
    fx_write(".bot.lua.swp", "swap again");
    want_loads = 2;
    CHECK(fx_run_until(enough_loads, 3000));
    CHECK(fx_recorded("version 2"));
    /* its mode set once more after the reload: the same file, no second reload */
    fx_run_until(NULL, 20);
    CHECK_EQ(chmod(path, 0644), 0);
    fx_run_until(NULL, 100);
    CHECK_EQ(fx_loads, 2u);
    /* a save that truncates and closes, then writes and closes: one reload of the whole file */
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    fx_write("bot.lua", "require('test').record('version', 3)\n");
    want_loads = 3;
    CHECK(fx_run_until(enough_loads, 3000));
    fx_run_until(NULL, 50);
    CHECK_EQ(fx_loads, 3u);
    CHECK(fx_recorded("version 3"));
    /* JetBrains' safe write: the new text in a temporary file, the old file renamed away, the
     * temporary renamed onto the name, the old one removed: one reload */
    char jb_old[600], jb_tmp[600];
    path_of(jb_old, sizeof jb_old, "bot.lua___jb_old___");
    path_of(jb_tmp, sizeof jb_tmp, "bot.lua___jb_tmp___");
    fx_write("bot.lua___jb_tmp___", "require('test').record('version', 4)\n");
    CHECK_EQ(rename(path, jb_old), 0);
    CHECK_EQ(rename(jb_tmp, path), 0);
    CHECK_EQ(unlink(jb_old), 0);
    want_loads = 4;
    CHECK(fx_run_until(enough_loads, 3000));
    fx_run_until(NULL, 50);
    CHECK_EQ(fx_loads, 4u);
    CHECK(fx_recorded("version 4"));
    fx_teardown(rt);
}

/* A writer that keeps the file open is reloaded after the quiet time; an attribute change alone
 * reloads only if the file is not what was loaded (touch: its times moved). */
static void quiet_100ms(wb_rt_config *c) {
    quiet_ms = 100;
    watching(c);
    quiet_ms = 20;
}

static void test_without_a_close_the_quiet_time_decides(void) {
    fx_setup();
    rt = start("require('test').record('version', 1)\n", quiet_100ms);
    char path[600];
    path_of(path, sizeof path, "bot.lua");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) {
        fx_teardown(rt);
        return;
    }
    fputs("require('test').record('version', 2)\n", f);
    fflush(f);
    want_loads = 2;
    CHECK(fx_run_until(enough_loads, 3000));
    CHECK(fx_recorded("version 2"));
    fclose(f); /* the close is a save: one more reload */
    want_loads = 3;
    CHECK(fx_run_until(enough_loads, 3000));
    /* chmod changes nothing that was loaded: no reload */
    fx_run_until(NULL, 20);
    CHECK_EQ(chmod(path, 0600), 0);
    fx_run_until(NULL, 250);
    CHECK_EQ(fx_loads, 3u);
    /* new times (touch without opening): reloaded */
    struct timespec times[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    CHECK_EQ(utimensat(AT_FDCWD, path, times, 0), 0);
    want_loads = 4;
    CHECK(fx_run_until(enough_loads, 3000));
    fx_teardown(rt);
}

static void test_no_reload_ignores_saves(void) {
    fx_setup();
    rt = start("require('test').record('gen', wabot.generation())\n", NULL);
    fx_write("bot.lua", "require('test').record('gen', wabot.generation())\n");
    fx_run_until(NULL, 80);
    CHECK_EQ(fx_rec_count, 1);
    fx_teardown(rt);
}

/* ---- the sandbox and require ---------------------------------------------------------------- */

static void test_bots_cannot_reach_the_hosts_state(void) {
    fx_setup();
    fx_write("mod.lua", "return 'beside'\n");
    rt = start("local test = require 'test'\n"
               "test.record('debug', debug.getregistry, debug.sethook, debug.getupvalue, debug.setupvalue, debug.upvaluejoin, type(debug.traceback))\n"
               "test.record('os', os.exit, os.setlocale, package.loadlib)\n"
               "local bin = string.dump(function() return 1 end)\n"
               "test.record('binary', load(bin), select(2, load(bin)) ~= nil)\n"
               "test.record('text env', load('return x', 'c', 't', {x = 5})())\n"
               "test.record('require beside', (require 'mod'))\n"
               "local ok, cjson = pcall(require, 'cjson')\n"
               "test.record('cjson', ok and cjson.encode({a = {1, 2}}))\n",
               NULL);
    CHECK(fx_recorded("debug nil nil nil nil nil function"));
    CHECK(fx_recorded("os nil nil nil"));
    CHECK(fx_recorded("binary nil true"));
    CHECK(fx_recorded("text env 5"));
    CHECK(fx_recorded("require beside beside"));
    CHECK(fx_recorded("cjson {\"a\":[1,2]}")); /* Debian's lua-cjson (scripts/setup installs it) */
    fx_teardown(rt);
}

static void test_log_is_tagged_with_file_and_line(void) {
    fx_setup();
    rt = start("wabot.log.info('hello %s %d', 'world', 42)\n"
               "wabot.log.warn('100%')\n",
               NULL);
    CHECK(fx_logged("bot: ") && fx_logged("bot.lua:1: hello world 42"));
    CHECK(fx_logged("bot.lua:2: 100%"));
    fx_teardown(rt);
}

int main(void) {
    RUN(test_event_reaches_every_listener_in_its_own_coroutine);
    RUN(test_erroring_listener_does_not_stop_the_others);
    RUN(test_once_off_and_emit_follow_baileys);
    RUN(test_first_load_errors_name_file_and_line);
    RUN(test_broken_reload_keeps_the_old_generation_and_next_save_retries);
    RUN(test_events_during_reloads_are_delivered_exactly_once);
    RUN(test_on_reload_runs_in_the_old_generation_and_wabot_reload_works);
    RUN(test_sighup_reloads);
    RUN(test_old_generation_drains_its_pending_calls);
    RUN(test_drain_deadline_abandons_calls_and_late_completion_only_frees);
    RUN(test_tracked_events_are_done_when_their_listeners_end);
    RUN(test_globals_module_fields_become_globals);
    RUN(test_calls_return_results_failures_and_refuse_where_they_cannot_wait);
    RUN(test_runaway_listeners_are_stopped_and_the_loop_keeps_running);
    RUN(test_runaway_top_level_is_refused);
    RUN(test_unbounded_allocation_gets_an_error_not_the_host_killed);
    RUN(test_timers_sleep_and_clear);
    RUN(test_timers_die_with_their_generation);
    RUN(test_saving_the_bot_or_a_module_beside_it_reloads);
    RUN(test_a_half_written_bot_is_never_loaded);
    RUN(test_an_editors_save_is_one_reload);
    RUN(test_without_a_close_the_quiet_time_decides);
    RUN(test_no_reload_ignores_saves);
    RUN(test_bots_cannot_reach_the_hosts_state);
    RUN(test_log_is_tagged_with_file_and_line);
    return check_summary();
}
