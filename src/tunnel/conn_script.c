// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/conn_script.c — connect-, disconnect- and host-update-script (ocserv's environment, see
 * script/script.h): the environment is built on the worker, the script runs on an auth pool
 * thread through vpn->run_script (the privileged spawner: the server itself never execs), and
 * the connect-script's verdict decides whether the CONNECT is answered. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/compiler.h"
#include "core/log.h"
#include "script/script.h"
#include "tunnel/conn.h"
#include "tunnel/worker.h"

struct script_job {
	struct conn_auth a; /* first: c->auth points here while a connection waits */
	struct vpn *v;
	const struct config *cfg; /* a reference: path lives in it */
	const char *path;
	struct script_env env;
	int status;
	uint64_t session_id;
	char username[64];
};

static void job_free(struct script_job *j)
{
	script_env_fini(&j->env);
	config_put(j->cfg);
}

/* On the auth pool thread. */
static void job_run(struct auth_request *req)
{
	struct script_job *j = container_of(req, struct script_job, a.req);
	int ret = j->v->run_script(j->v->script_ctx, j->path, (const char *const *)j->env.vars,
				   &j->status);

	if (ret) {
		log_msg(LOG_ERR, "cannot run %s: %s", j->path, strerror(-ret));
		j->status = -1;
	}
}

static int env_fill(struct conn *c, enum script_reason reason, struct script_env *env)
{
	struct session *s = c->session;
	struct vpn *v = c->w->vpn;
	char local4[INET_ADDRSTRLEN] = "", remote4[INET_ADDRSTRLEN] = "";
	char local6[INET6_ADDRSTRLEN] = "", remote6[INET6_ADDRSTRLEN] = "";
	char real_local[INET6_ADDRSTRLEN];
	struct session_config *tmp = nullptr;
	struct in_addr a4;
	struct in6_addr a6;
	unsigned plen;
	int ret;

	conn__local_ip(c, real_local, sizeof(real_local));
	if (s->lease.has_v4) {
		inet_ntop(AF_INET, &s->lease.v4, remote4, sizeof(remote4));
		if (ippool_server_v4(v->pool, &a4, &plen))
			inet_ntop(AF_INET, &a4, local4, sizeof(local4));
	}
	if (s->lease.has_v6) {
		inet_ntop(AF_INET6, &s->lease.v6, remote6, sizeof(remote6));
		if (ippool_server_v6(v->pool, &a6, &plen))
			inet_ntop(AF_INET6, &a6, local6, sizeof(local6));
	}
	uint64_t rx = atomic_load_explicit(&s->rx_bytes, memory_order_relaxed);
	uint64_t tx = atomic_load_explicit(&s->tx_bytes, memory_order_relaxed);
	struct script_info info = {
		.reason = reason,
		.vhost = "default",
		.username = s->username,
		.groupname = s->group,
		.hostname = c->pend.hostname,
		.user_agent = c->pend.user_agent,
		.device_type = c->pend.device_type,
		.device_platform = c->pend.device_platform,
		.device = tun_name(v->tun),
		.ip_real = c->peer_ip,
		.ip_real_local = real_local[0] ? real_local : nullptr,
		.ip_local = local4[0] ? local4 : nullptr,
		.ip_remote = remote4[0] ? remote4 : nullptr,
		.ipv6_local = local6[0] ? local6 : nullptr,
		.ipv6_remote = remote6[0] ? remote6 : nullptr,
		.ipv6_prefix = s->lease.has_v6 ? s->lease.v6_prefix : 0,
		.id = s->id,
		.have_stats = reason == SCRIPT_DISCONNECT,
		.bytes_in = tx,	 /* as ocserv: read from the TUN (to the client) … */
		.bytes_out = rx, /* … and written to it */
		.duration_s = (loop_now_ns(c->w->loop) - c->accepted_ns) / NS_PER_SEC,
	};
	const struct session_config *sc = c->cfg->derived_sc;
	if (!sc && !session_config_build(c->cfg, nullptr, nullptr, &tmp))
		sc = tmp; /* the global routes and DNS, as the client got them */
	ret = script_env_build(env, &info, sc);
	session_config_free(tmp);
	return ret;
}

static struct script_job *job_new(struct conn *c, const char *path, enum script_reason reason)
{
	struct script_job *j = calloc(1, sizeof(*j));

	if (!j)
		return nullptr;
	script_env_init(&j->env);
	if (env_fill(c, reason, &j->env)) {
		log_msg(LOG_ERR, "conn %s: cannot build the environment of %s", c->peer, path);
		script_env_fini(&j->env);
		free(j);
		return nullptr;
	}
	j->v = c->w->vpn;
	j->cfg = config_get(c->cfg);
	j->path = path;
	j->session_id = c->session->id;
	snprintf(j->username, sizeof(j->username), "%s", c->session->username);
	j->a.req.reply_loop = c->w->loop;
	j->a.req.run = job_run;
	return j;
}

static void on_connect_script_done(struct auth_request *req)
{
	struct script_job *j = container_of(req, struct script_job, a.req);
	struct conn *c = j->a.c;
	int status = j->status;

	job_free(j);
	if (conn__auth_returned(c)) /* frees j */
		return;
	conn__set_state(c, CONN_HTTP);
	if (status != 0) {
		log_msg(LOG_NOTICE, "conn %s: connect-script refused the session of %s (exit %d)",
			c->peer, c->session->username, status);
		conn__connect_refuse(c, "Refused by the connect-script");
		return;
	}
	conn__connect_finish(c);
}

bool conn__connect_script_start(struct conn *c)
{
	const char *path = c->cfg->connect_script;
	struct script_job *j;

	if (!path)
		return false;
	if (!c->w->vpn->run_script || !(j = job_new(c, path, SCRIPT_CONNECT))) {
		conn__close_invalidate(c, "connect-script cannot run");
		return true;
	}
	j->a.c = c;
	j->a.req.on_done = on_connect_script_done;
	c->auth = &j->a;
	conn__set_state(c, CONN_AUTH_WAIT);
	auth_pool_submit(c->w->vpn->auth, &j->a.req);
	return true;
}

/* Scripts whose exit status changes nothing: logged when non-zero. */
static void on_background_script_done(struct auth_request *req)
{
	struct script_job *j = container_of(req, struct script_job, a.req);

	if (j->status)
		log_msg(LOG_NOTICE, "session %llu (%s): %s exited with %d",
			(unsigned long long)j->session_id, j->username, j->path, j->status);
	job_free(j);
	free(j);
}

static void background_script(struct conn *c, const char *path, enum script_reason reason)
{
	struct script_job *j;

	if (!path || !c->w->vpn->run_script || !c->w->vpn->auth)
		return;
	j = job_new(c, path, reason);
	if (!j)
		return;
	j->a.req.on_done = on_background_script_done;
	auth_pool_submit(c->w->vpn->auth, &j->a.req);
}

void conn__disconnect_script(struct conn *c)
{
	background_script(c, c->cfg->disconnect_script, SCRIPT_DISCONNECT);
}

void conn__host_update_script(struct conn *c)
{
	background_script(c, c->cfg->host_update_script, SCRIPT_HOST_UPDATE);
}
