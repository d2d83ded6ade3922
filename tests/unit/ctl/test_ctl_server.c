// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/ctl/test_ctl_server.c — a real ctl_server on a Unix socket in a temp dir, its loop
 * in a thread, fake ops; raw clients for malformed input, the occtl binary as a subprocess. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/compiler.h"
#include "core/loop.h"
#include "ctl/ctl_priv.h"
#include "fake_ops.h"

struct env {
	char dir[64];
	char path[128];
	struct loop *l;
	struct ctl_server *srv;
	pthread_t thr;
	struct fake fake;
};

static void *loop_thread(void *arg)
{
	struct env *e = arg;

	(void)loop_run(e->l);
	return nullptr;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	snprintf(e->dir, sizeof(e->dir), "/tmp/ocm-ctl-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/ctl.sock", e->dir);
	assert_int_equal(loop_new(&e->l), 0);
	assert_int_equal(ctl_server_new(e->l, e->path, &fake_ops, &e->fake, &e->srv), 0);
	assert_int_equal(pthread_create(&e->thr, nullptr, loop_thread, e), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	loop_stop(e->l);
	pthread_join(e->thr, nullptr);
	ctl_server_free(e->srv);
	loop_run_pending(e->l);
	loop_free(e->l);
	assert_int_equal(access(e->path, F_OK), -1); /* unlinked */
	rmdir(e->dir);
	free(e);
	return 0;
}

static int client(struct env *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", e->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
		if (n < 0)
			return; /* the server may close mid-way on a huge line */
		c += n;
		len -= (size_t)n;
	}
}

/* Read one line (5 s bound); NULL on EOF/timeout. */
static cJSON *recv_json(int fd)
{
	static char buf[1 << 16];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			return nullptr;
		ssize_t n = read(fd, buf + len, 1);
		if (n <= 0)
			return nullptr;
		if (buf[len] == '\n')
			return cJSON_ParseWithLength(buf, len);
		len++;
	}
	return nullptr;
}

static bool at_eof(int fd)
{
	char c;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 5000) == 1 && read(fd, &c, 1) == 0;
}

static const char *err_of(const cJSON *r)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, CTL_K_ERROR);
	return cJSON_IsString(e) ? e->valuestring : "";
}

static void expect_status_ok(struct env *e)
{
	int fd = client(e);
	cJSON *r;

	send_all(fd, "{\"cmd\":\"show status\"}\n", 23);
	r = recv_json(fd);
	assert_non_null(r);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, CTL_K_OK)));
	assert_int_equal((int)cJSON_GetObjectItem(cJSON_GetObjectItem(r, CTL_K_DATA), CTL_K_PID)
				 ->valuedouble,
			 4242);
	cJSON_Delete(r);
	close(fd);
}

static void test_status(void **state)
{
	expect_status_ok(*state);
}

struct bad_case {
	const char *name;
	const char *line;
	const char *error;
	bool closes;
};

static const struct bad_case bad_cases[] = {
	{"bad json", "{not json\n", "malformed request", true},
	{"not an object", "42\n", "malformed request", true},
	{"unknown command", "{\"cmd\":\"rm -rf\"}\n", "unknown command", false},
	{"missing argument", "{\"cmd\":\"show id\"}\n", "missing argument", false},
	{"not supported", "{\"cmd\":\"stop now\"}\n", "not supported", false},
};

static void test_bad_requests(void **state)
{
	struct env *e = *state;

	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		int fd = client(e);
		cJSON *r;

		send_all(fd, c->line, strlen(c->line));
		r = recv_json(fd);
		if (!r)
			fail_msg("case \"%s\": no response", c->name);
		if (strcmp(err_of(r), c->error) != 0)
			fail_msg("case \"%s\": error \"%s\"", c->name, err_of(r));
		cJSON_Delete(r);
		if (c->closes) {
			assert_true(at_eof(fd));
		} else { /* the connection still serves */
			send_all(fd, "{\"cmd\":\"show status\"}\n", 23);
			r = recv_json(fd);
			assert_non_null(r);
			cJSON_Delete(r);
		}
		close(fd);
	}
	expect_status_ok(e);
}

static void test_request_size_limit(void **state)
{
	struct env *e = *state;
	static const char head[] = "{\"cmd\":\"show status\"}";
	char *line = malloc(CTL_MAX_REQUEST + 2);
	int fd;
	cJSON *r;

	assert_non_null(line);
	/* exactly the limit: answered */
	memset(line, ' ', CTL_MAX_REQUEST);
	memcpy(line, head, sizeof(head) - 1);
	line[CTL_MAX_REQUEST] = '\n';
	fd = client(e);
	send_all(fd, line, CTL_MAX_REQUEST + 1);
	r = recv_json(fd);
	assert_non_null(r);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, CTL_K_OK)));
	cJSON_Delete(r);
	close(fd);
	/* one past: refused and closed */
	memset(line, ' ', CTL_MAX_REQUEST + 1);
	memcpy(line, head, sizeof(head) - 1);
	line[CTL_MAX_REQUEST + 1] = '\n';
	fd = client(e);
	send_all(fd, line, CTL_MAX_REQUEST + 2);
	r = recv_json(fd);
	assert_non_null(r);
	assert_string_equal(err_of(r), "request too large");
	cJSON_Delete(r);
	assert_true(at_eof(fd));
	close(fd);
	/* a huge line with no newline at all */
	memset(line, 'a', CTL_MAX_REQUEST + 2);
	fd = client(e);
	for (int i = 0; i < 4; i++)
		send_all(fd, line, CTL_MAX_REQUEST + 2);
	r = recv_json(fd);
	assert_non_null(r);
	assert_string_equal(err_of(r), "request too large");
	cJSON_Delete(r);
	close(fd);
	free(line);
	expect_status_ok(e);
}

static void test_max_clients(void **state)
{
	struct env *e = *state;
	int fds[CTL_MAX_CLIENTS + 1];

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fds[i] = client(e);
		send_all(fds[i], "{\"cmd\":\"show status\"}\n", 23); /* accepted and served */
		cJSON_Delete(recv_json(fds[i]));
	}
	fds[CTL_MAX_CLIENTS] = client(e); /* one past the limit: closed by the server */
	assert_true(at_eof(fds[CTL_MAX_CLIENTS]));
	for (int i = 0; i <= CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	usleep(100 * 1000);
	expect_status_ok(e);
}

struct post_event {
	struct loop_call call;
	struct ctl_server *srv;
};

static void do_event(struct loop_call *c)
{
	struct post_event *p = container_of(c, struct post_event, call);
	struct ctl_user *u = nullptr;
	size_t n = 0;

	assert_int_equal(fake_list_users(nullptr, &u, &n), 0);
	ctl_server_event(p->srv,
			 &(struct ctl_event){.connected = false, .reason = "idle", .user = &u[1]});
	ctl_users_free(u, n);
}

static void test_events(void **state)
{
	struct env *e = *state;
	struct post_event pe = {.srv = e->srv};
	int fd = client(e);
	cJSON *r, *ev;

	send_all(fd, "{\"cmd\":\"show events\"}\n", 23);
	r = recv_json(fd);
	assert_non_null(r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, CTL_K_DATA)), 2);
	cJSON_Delete(r);
	loop_post(e->l, &pe.call, do_event);
	r = recv_json(fd);
	assert_non_null(r);
	ev = cJSON_GetObjectItem(r, CTL_K_EVENT);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ev, CTL_K_CONNECTED)));
	assert_string_equal(cJSON_GetObjectItem(ev, CTL_K_REASON)->valuestring, "idle");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(ev, CTL_K_USER), CTL_K_USERNAME)
				    ->valuestring,
			    "bob");
	cJSON_Delete(r);
	close(fd);
}

/* Run occtl; its stdout (up to 64 KiB) in out; returns the exit status. */
static int occtl(struct env *e, const char *args, char *out, size_t len)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "timeout 20 '%s' -s '%s' %s", OCCTL_PATH, e->path, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < len - 1) {
		size_t r = fread(out + n, 1, len - 1 - n, p);
		if (!r)
			break;
		n += r;
	}
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_occtl_show_users(void **state)
{
	static char out[65536];
	struct env *e = *state;

	assert_int_equal(occtl(e, "show users", out, sizeof(out)), 0);
	/* ocserv's header line and columns */
	assert_non_null(strstr(out, "      id     user    vhost             ip         vpn-ip "
				    "device   since    dtls-cipher    status\n"));
	assert_non_null(strstr(out, "    1001    alice  default    198.18.0.10     198.19.0.2 "
				    " vpns0"));
	assert_non_null(strstr(out, "(AES-128-GCM) connected\n"));
	assert_non_null(strstr(out, "    1002      bob"));
}

static void test_occtl_json_fields(void **state)
{
	static char out[65536];
	static const char *const fields[] = {
		"ID",
		"Username",
		"Groupname",
		"State",
		"vhost",
		"Device",
		"MTU",
		"Remote IP",
		"Location",
		"Local Device IP",
		"IPv4",
		"P-t-P IPv4",
		"IPv6",
		"P-t-P IPv6",
		"User-Agent",
		"RX",
		"TX",
		"_RX",
		"_TX",
		"Average RX",
		"Average TX",
		"DPD",
		"KeepAlive",
		"Hostname",
		"Connected at",
		"_Connected at",
		"Full session",
		"Session",
		"TLS ciphersuite",
		"DTLS cipher",
		"DNS",
		"NBNS",
		"Split-DNS-Domains",
		"Routes",
		"No-routes",
		"iRoutes",
		"Restricted to routes",
		"Restricted to ports",
	};
	struct env *e = *state;
	cJSON *arr, *u;

	assert_int_equal(occtl(e, "-j show users", out, sizeof(out)), 0);
	arr = cJSON_Parse(out);
	assert_non_null(arr);
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	u = cJSON_GetArrayItem(arr, 0);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!cJSON_GetObjectItemCaseSensitive(u, fields[i]))
			fail_msg("field \"%s\" missing", fields[i]);
	}
	assert_int_equal((int)cJSON_GetObjectItem(u, "ID")->valuedouble, 1001);
	assert_string_equal(cJSON_GetObjectItem(u, "Username")->valuestring, "alice");
	assert_string_equal(cJSON_GetObjectItem(u, "Groupname")->valuestring, "(none)");
	assert_string_equal(cJSON_GetObjectItem(u, "MTU")->valuestring, "1400");
	assert_string_equal(cJSON_GetObjectItem(u, "RX")->valuestring, "123456");
	assert_string_equal(cJSON_GetObjectItem(u, "_RX")->valuestring, "123.5 KB");
	assert_string_equal(cJSON_GetObjectItem(u, "Session")->valuestring, "AbCdEf");
	assert_string_equal(cJSON_GetObjectItem(u, "Restricted to routes")->valuestring, "False");
	cJSON_Delete(arr);
}

static void test_occtl_commands(void **state)
{
	static char out[65536];
	struct env *e = *state;
	cJSON *j;

	assert_int_equal(occtl(e, "show user alice", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\tUsername: alice   Groupname: (none)\n"));
	assert_non_null(strstr(out, "\tRX: 123456 (123.5 KB)   TX: 654321 (654.3 KB)\n"));
	assert_non_null(strstr(out, "\tDNS: 198.19.0.1\n"));
	assert_int_equal(occtl(e, "show user nobody", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "user or ID not found"));
	assert_int_equal(occtl(e, "show id 1002", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\tUsername: bob"));
	assert_int_equal(occtl(e, "disconnect user alice", out, sizeof(out)), 0);
	assert_string_equal(out, "user 'alice' was disconnected\n");
	assert_int_equal(occtl(e, "disconnect id 77", out, sizeof(out)), 1);
	assert_string_equal(out, "could not disconnect ID '77'\n");
	assert_int_equal(occtl(e, "unban ip 198.18.5.5", out, sizeof(out)), 0);
	assert_string_equal(out, "IP '198.18.5.5' was unbanned\n");
	assert_int_equal(occtl(e, "ban ip 198.18.5.6 600", out, sizeof(out)), 0);
	assert_int_equal(occtl(e, "show ip bans", out, sizeof(out)), 0);
	assert_non_null(
		strstr(out, "            IP          score                        expires\n"));
	assert_null(strstr(out, "2001:db8::5")); /* points only: not banned */
	assert_int_equal(occtl(e, "show ip ban points", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "   2001:db8::5             10\n"));
	assert_int_equal(occtl(e, "show status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\tStatus: online\n"));
	assert_non_null(strstr(out, "\tServer PID: 4242\n"));
	assert_int_equal(occtl(e, "-j show status", out, sizeof(out)), 0);
	j = cJSON_Parse(out);
	assert_non_null(j);
	assert_non_null(cJSON_GetObjectItem(j, "Up since"));
	assert_non_null(cJSON_GetObjectItem(j, "_Up since"));
	cJSON_Delete(j);
	assert_int_equal(occtl(e, "show sessions valid", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "AbCdEf"));
	assert_null(strstr(out, "zzzzzz"));
	assert_int_equal(occtl(e, "show session zzz", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\tFull session ID: zzzzzzfull\n"));
	assert_int_equal(occtl(e, "show iroutes", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "198.18.64.0/255.255.255.0"));
	assert_int_equal(occtl(e, "reload", out, sizeof(out)), 1);
	assert_string_equal(out, "Error scheduling reload\n");
	assert_int_equal(occtl(e, "frobnicate", out, sizeof(out)), 1);
	/* interactive mode reads commands from stdin */
	assert_int_equal(occtl(e, "< /dev/null", out, sizeof(out)), 0);
}

static void test_occtl_offline(void **state)
{
	static char out[4096];
	char cmd[512];
	FILE *p;
	size_t n;

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "timeout 20 '%s' -s /nonexistent/ocm.sock show status 2>/dev/null", OCCTL_PATH);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(WEXITSTATUS(pclose(p)), 1);
	assert_string_equal(out, "\tStatus: offline\n");
}

static void test_path_errors(void **state)
{
	char longpath[200];
	struct loop *l;
	struct ctl_server *srv;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(ctl_server_new(l, longpath, &fake_ops, nullptr, &srv), -ENAMETOOLONG);
	assert_null(srv);
	/* a regular file in the way is not deleted */
	assert_int_equal(ctl_server_new(l, "/dev/null", &fake_ops, nullptr, &srv), -EEXIST);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_occtl_show_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_occtl_json_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_occtl_commands, setup, teardown),
		cmocka_unit_test(test_occtl_offline),
		cmocka_unit_test(test_path_errors),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
