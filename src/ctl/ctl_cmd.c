// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/ctl_cmd.c — the command table: parse a request line, call the matching ctl_ops
 * callback and build the JSON response. No I/O here; ctl_server.c moves the bytes. */
#include "ctl/ctl_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmd_names[CTL_C__COUNT] = {
	[CTL_C_STATUS] = CTL_CMD_STATUS,
	[CTL_C_SHOW_USERS] = CTL_CMD_SHOW_USERS,
	[CTL_C_SHOW_USER] = CTL_CMD_SHOW_USER,
	[CTL_C_SHOW_ID] = CTL_CMD_SHOW_ID,
	[CTL_C_SHOW_SESSIONS] = CTL_CMD_SHOW_SESSIONS,
	[CTL_C_SHOW_SESSION] = CTL_CMD_SHOW_SESSION,
	[CTL_C_SHOW_IROUTES] = CTL_CMD_SHOW_IROUTES,
	[CTL_C_SHOW_BANS] = CTL_CMD_SHOW_BANS,
	[CTL_C_SHOW_BAN_POINTS] = CTL_CMD_SHOW_BAN_POINTS,
	[CTL_C_SHOW_EVENTS] = CTL_CMD_SHOW_EVENTS,
	[CTL_C_DISCONNECT_USER] = CTL_CMD_DISCONNECT_USER,
	[CTL_C_DISCONNECT_ID] = CTL_CMD_DISCONNECT_ID,
	[CTL_C_TERMINATE_USER] = CTL_CMD_TERMINATE_USER,
	[CTL_C_TERMINATE_ID] = CTL_CMD_TERMINATE_ID,
	[CTL_C_TERMINATE_SESSION] = CTL_CMD_TERMINATE_SESSION,
	[CTL_C_BAN_IP] = CTL_CMD_BAN_IP,
	[CTL_C_UNBAN_IP] = CTL_CMD_UNBAN_IP,
	[CTL_C_RELOAD] = CTL_CMD_RELOAD,
	[CTL_C_STOP] = CTL_CMD_STOP,
};

#define A(x) (1u << (x))
/* Commands that need "arg". */
static const uint32_t cmd_needs_arg =
	A(CTL_C_SHOW_USER) | A(CTL_C_SHOW_ID) | A(CTL_C_SHOW_SESSION) | A(CTL_C_DISCONNECT_USER) |
	A(CTL_C_DISCONNECT_ID) | A(CTL_C_TERMINATE_USER) | A(CTL_C_TERMINATE_ID) |
	A(CTL_C_TERMINATE_SESSION) | A(CTL_C_BAN_IP) | A(CTL_C_UNBAN_IP);

int ctl_strlist_add(struct ctl_strlist *l, const char *s)
{
	char **v;
	char *copy;

	if (l->n >= 4096)
		return -E2BIG;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	v[l->n++] = copy;
	l->v = v;
	return 0;
}

void ctl_strlist_fini(struct ctl_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = nullptr;
	l->n = 0;
}

void ctl_user_fini(struct ctl_user *u)
{
	ctl_strlist_fini(&u->dns);
	ctl_strlist_fini(&u->nbns);
	ctl_strlist_fini(&u->domains);
	ctl_strlist_fini(&u->routes);
	ctl_strlist_fini(&u->no_routes);
	ctl_strlist_fini(&u->iroutes);
	ctl_strlist_fini(&u->fw_ports);
}

void ctl_users_free(struct ctl_user *arr, size_t n)
{
	if (!arr)
		return;
	for (size_t i = 0; i < n; i++)
		ctl_user_fini(&arr[i]);
	free(arr);
}

int ctl_request_parse(const char *line, size_t len, struct ctl_request *req)
{
	const char *end = nullptr;
	const cJSON *cmd, *arg, *secs;
	cJSON *root;
	int ret = -EBADMSG;

	*req = (struct ctl_request){};
	if (len > CTL_MAX_REQUEST)
		return -E2BIG;
	if (memchr(line, '\0', len))
		return -EBADMSG;
	root = cJSON_ParseWithLengthOpts(line, len, &end, false);
	if (!root)
		return -EBADMSG;
	/* Only whitespace may follow the object (a '\r' from hand-typed requests). */
	for (; end && end < line + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\r')
			goto out;
	}
	if (!cJSON_IsObject(root))
		goto out;
	cmd = cJSON_GetObjectItemCaseSensitive(root, CTL_K_CMD);
	if (!cJSON_IsString(cmd))
		goto out;
	arg = cJSON_GetObjectItemCaseSensitive(root, CTL_K_ARG);
	if (arg && !cJSON_IsNull(arg)) {
		if (!cJSON_IsString(arg))
			goto out;
		size_t alen = strlen(arg->valuestring);
		if (alen > CTL_MAX_ARG) {
			ret = -E2BIG;
			goto out;
		}
		memcpy(req->arg, arg->valuestring, alen + 1);
		req->has_arg = alen > 0;
	}
	secs = cJSON_GetObjectItemCaseSensitive(root, CTL_K_SECONDS);
	if (secs && !cJSON_IsNull(secs)) {
		double d = cJSON_GetNumberValue(secs);
		if (!cJSON_IsNumber(secs) || !(d >= 0 && d <= UINT32_MAX) ||
		    d != (double)(uint32_t)d)
			goto out;
		req->seconds = (uint32_t)d;
	}
	ret = -ENOENT;
	for (size_t i = 0; i < CTL_C__COUNT; i++) {
		if (strcmp(cmd->valuestring, cmd_names[i]) == 0) {
			req->cmd = (enum ctl_cmd)i;
			ret = 0;
			break;
		}
	}
	if (ret == 0 && (cmd_needs_arg & A(req->cmd)) && !req->has_arg)
		ret = -EINVAL;
out:
	cJSON_Delete(root);
	return ret;
}

cJSON *ctl_response_error(const char *msg)
{
	cJSON *r = cJSON_CreateObject();

	if (!r)
		return nullptr;
	if (!cJSON_AddFalseToObject(r, CTL_K_OK) || !cJSON_AddStringToObject(r, CTL_K_ERROR, msg)) {
		cJSON_Delete(r);
		return nullptr;
	}
	return r;
}

/* Helpers that remember an allocation failure instead of checking every call. */
struct jb {
	cJSON *o;
	bool oom;
};

static void jb_str(struct jb *b, const char *k, const char *v)
{
	if (!cJSON_AddStringToObject(b->o, k, v))
		b->oom = true;
}

static void jb_num(struct jb *b, const char *k, double v)
{
	if (!cJSON_AddNumberToObject(b->o, k, v))
		b->oom = true;
}

static void jb_bool(struct jb *b, const char *k, bool v)
{
	if (!cJSON_AddBoolToObject(b->o, k, v))
		b->oom = true;
}

static void jb_list(struct jb *b, const char *k, const struct ctl_strlist *l)
{
	cJSON *a = cJSON_AddArrayToObject(b->o, k);

	if (!a) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		cJSON *s = cJSON_CreateString(l->v[i]);
		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			b->oom = true;
			return;
		}
	}
}

static cJSON *jb_done(struct jb *b)
{
	if (b->oom) {
		cJSON_Delete(b->o);
		return nullptr;
	}
	return b->o;
}

cJSON *ctl_user_json(const struct ctl_user *u)
{
	struct jb b = {.o = cJSON_CreateObject()};

	if (!b.o)
		return nullptr;
	jb_num(&b, CTL_K_ID, u->id);
	jb_str(&b, CTL_K_USERNAME, u->username);
	jb_str(&b, CTL_K_GROUPNAME, u->groupname);
	jb_str(&b, CTL_K_STATE, u->state);
	jb_str(&b, CTL_K_VHOST, u->vhost);
	jb_str(&b, CTL_K_DEVICE, u->device);
	jb_num(&b, CTL_K_MTU, u->mtu);
	jb_str(&b, CTL_K_REMOTE_IP, u->remote_ip);
	jb_str(&b, CTL_K_LOCAL_DEV_IP, u->local_dev_ip);
	jb_str(&b, CTL_K_IPV4, u->ipv4);
	jb_str(&b, CTL_K_PTP_IPV4, u->ptp_ipv4);
	jb_str(&b, CTL_K_IPV6, u->ipv6);
	jb_str(&b, CTL_K_PTP_IPV6, u->ptp_ipv6);
	jb_str(&b, CTL_K_USER_AGENT, u->user_agent);
	jb_str(&b, CTL_K_HOSTNAME, u->hostname);
	jb_num(&b, CTL_K_RX, (double)u->rx_bytes);
	jb_num(&b, CTL_K_TX, (double)u->tx_bytes);
	jb_num(&b, CTL_K_DPD, u->dpd_s);
	jb_num(&b, CTL_K_KEEPALIVE, u->keepalive_s);
	jb_num(&b, CTL_K_CONNECTED_AT, (double)u->connected_at);
	jb_str(&b, CTL_K_SESSION, u->session);
	jb_str(&b, CTL_K_FULL_SESSION, u->full_session);
	jb_str(&b, CTL_K_TLS_CIPHER, u->tls_cipher);
	jb_str(&b, CTL_K_DTLS_CIPHER, u->dtls_cipher);
	jb_list(&b, CTL_K_DNS, &u->dns);
	jb_list(&b, CTL_K_NBNS, &u->nbns);
	jb_list(&b, CTL_K_DOMAINS, &u->domains);
	jb_list(&b, CTL_K_ROUTES, &u->routes);
	jb_list(&b, CTL_K_NO_ROUTES, &u->no_routes);
	jb_list(&b, CTL_K_IROUTES, &u->iroutes);
	jb_list(&b, CTL_K_FW_PORTS, &u->fw_ports);
	jb_bool(&b, CTL_K_RESTRICT, u->restrict_to_routes);
	jb_num(&b, CTL_K_RX_LIMIT, (double)u->rx_per_sec);
	jb_num(&b, CTL_K_TX_LIMIT, (double)u->tx_per_sec);
	return jb_done(&b);
}

static cJSON *session_json(const struct ctl_session *s)
{
	struct jb b = {.o = cJSON_CreateObject()};

	if (!b.o)
		return nullptr;
	jb_str(&b, CTL_K_SESSION, s->session);
	jb_str(&b, CTL_K_FULL_SESSION, s->full_session);
	jb_num(&b, CTL_K_CREATED, (double)s->created);
	jb_num(&b, CTL_K_EXPIRES, (double)s->expires);
	jb_str(&b, CTL_K_STATE, s->state);
	jb_bool(&b, CTL_K_VALID, s->valid);
	jb_str(&b, CTL_K_USERNAME, s->username);
	jb_str(&b, CTL_K_GROUPNAME, s->groupname);
	jb_str(&b, CTL_K_VHOST, s->vhost);
	jb_str(&b, CTL_K_USER_AGENT, s->user_agent);
	jb_str(&b, CTL_K_REMOTE_IP, s->remote_ip);
	jb_bool(&b, CTL_K_IN_USE, s->in_use);
	jb_bool(&b, CTL_K_ACTIVATED, s->activated);
	jb_bool(&b, CTL_K_CERT_AUTH, s->tls_auth_ok);
	return jb_done(&b);
}

static cJSON *ban_json(const struct ctl_ban *ban)
{
	struct jb b = {.o = cJSON_CreateObject()};

	if (!b.o)
		return nullptr;
	jb_str(&b, CTL_K_IP, ban->ip);
	jb_num(&b, CTL_K_SCORE, ban->score);
	jb_num(&b, CTL_K_EXPIRES, (double)ban->expires);
	return jb_done(&b);
}

static cJSON *status_json(const struct ctl_status *st)
{
	struct jb b = {.o = cJSON_CreateObject()};

	if (!b.o)
		return nullptr;
	jb_num(&b, CTL_K_PID, st->pid);
	jb_num(&b, CTL_K_SECMOD_PID, st->secmod_pid);
	jb_num(&b, CTL_K_SECMOD_COUNT, st->secmod_instances);
	jb_num(&b, CTL_K_UP_SINCE, (double)st->up_since);
	jb_num(&b, CTL_K_LAST_RESET, (double)st->last_reset);
	jb_num(&b, CTL_K_ACTIVE_SESSIONS, (double)st->active_sessions);
	jb_num(&b, CTL_K_TOTAL_SESSIONS, (double)st->total_sessions);
	jb_num(&b, CTL_K_TOTAL_AUTH_FAILURES, (double)st->total_auth_failures);
	jb_num(&b, CTL_K_BANNED_IPS, (double)st->banned_ips);
	jb_num(&b, CTL_K_SESSIONS_HANDLED, (double)st->sessions_handled);
	jb_num(&b, CTL_K_TIMED_OUT, (double)st->timed_out);
	jb_num(&b, CTL_K_IDLE_TIMED_OUT, (double)st->idle_timed_out);
	jb_num(&b, CTL_K_ERROR_SESSIONS, (double)st->error_sessions);
	jb_num(&b, CTL_K_AUTH_FAILURES, (double)st->auth_failures);
	jb_num(&b, CTL_K_AVG_AUTH_S, (double)st->avg_auth_time_s);
	jb_num(&b, CTL_K_MAX_AUTH_S, (double)st->max_auth_time_s);
	jb_num(&b, CTL_K_AVG_SESSION_S, (double)st->avg_session_time_s);
	jb_num(&b, CTL_K_MAX_SESSION_S, (double)st->max_session_time_s);
	jb_num(&b, CTL_K_RX, (double)st->rx_bytes);
	jb_num(&b, CTL_K_TX, (double)st->tx_bytes);
	jb_num(&b, CTL_K_MIN_MTU, st->min_mtu);
	jb_num(&b, CTL_K_MAX_MTU, st->max_mtu);
	return jb_done(&b);
}

/* Parse a decimal session id (1 … UINT32_MAX). */
static bool parse_id(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

static bool is_ip(const char *s)
{
	uint8_t tmp[16];

	return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

static cJSON *users_reply(const struct ctl_ops *ops, void *ctx, const struct ctl_request *req,
			  int *err)
{
	struct ctl_user *arr = nullptr;
	size_t n = 0;
	uint32_t id = 0;
	cJSON *a;

	if (req->cmd == CTL_C_SHOW_ID && !parse_id(req->arg, &id)) {
		*err = -EINVAL;
		return nullptr;
	}
	*err = ops->list_users(ctx, &arr, &n);
	if (*err)
		return nullptr;
	a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		if (req->cmd == CTL_C_SHOW_USER && strcmp(arr[i].username, req->arg) != 0)
			continue;
		if (req->cmd == CTL_C_SHOW_ID && arr[i].id != id)
			continue;
		cJSON *u = ctl_user_json(&arr[i]);
		if (!u || !cJSON_AddItemToArray(a, u)) {
			cJSON_Delete(u);
			cJSON_Delete(a);
			a = nullptr;
		}
	}
	ctl_users_free(arr, n);
	if (!a)
		*err = -ENOMEM;
	return a;
}

static cJSON *sessions_reply(const struct ctl_ops *ops, void *ctx, const struct ctl_request *req,
			     int *err)
{
	struct ctl_session *arr = nullptr;
	size_t n = 0, plen = strlen(req->arg);
	bool valid_only = false;
	cJSON *a;

	if (req->cmd == CTL_C_SHOW_SESSIONS) {
		if (!req->has_arg || strcmp(req->arg, "valid") == 0) {
			valid_only = true;
		} else if (strcmp(req->arg, "all") != 0) {
			*err = -EINVAL;
			return nullptr;
		}
	}
	*err = ops->list_sessions(ctx, &arr, &n);
	if (*err)
		return nullptr;
	a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		if (valid_only && !arr[i].valid)
			continue;
		if (req->cmd == CTL_C_SHOW_SESSION && strncmp(arr[i].session, req->arg, plen) != 0)
			continue;
		cJSON *s = session_json(&arr[i]);
		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			cJSON_Delete(a);
			a = nullptr;
		}
	}
	free(arr);
	if (!a)
		*err = -ENOMEM;
	return a;
}

static cJSON *bans_reply(int (*list)(void *, struct ctl_ban **, size_t *), void *ctx, int *err)
{
	struct ctl_ban *arr = nullptr;
	size_t n = 0;
	cJSON *a;

	*err = list(ctx, &arr, &n);
	if (*err)
		return nullptr;
	a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		cJSON *b = ban_json(&arr[i]);
		if (!b || !cJSON_AddItemToArray(a, b)) {
			cJSON_Delete(b);
			cJSON_Delete(a);
			a = nullptr;
		}
	}
	free(arr);
	if (!a)
		*err = -ENOMEM;
	return a;
}

static cJSON *count_reply(int count, int *err)
{
	cJSON *o;

	if (count < 0) {
		*err = count;
		return nullptr;
	}
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddNumberToObject(o, CTL_K_COUNT, count)) {
		cJSON_Delete(o);
		*err = -ENOMEM;
		return nullptr;
	}
	*err = 0;
	return o;
}

/* Is the callback this command needs present? */
static bool op_present(const struct ctl_ops *ops, enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_C_STATUS:
		return ops->status;
	case CTL_C_SHOW_USERS:
	case CTL_C_SHOW_USER:
	case CTL_C_SHOW_ID:
	case CTL_C_SHOW_IROUTES:
	case CTL_C_SHOW_EVENTS:
		return ops->list_users;
	case CTL_C_SHOW_SESSIONS:
	case CTL_C_SHOW_SESSION:
		return ops->list_sessions;
	case CTL_C_SHOW_BANS:
		return ops->list_bans;
	case CTL_C_SHOW_BAN_POINTS:
		return ops->list_ban_points;
	case CTL_C_DISCONNECT_USER:
	case CTL_C_TERMINATE_USER:
		return ops->disconnect_user;
	case CTL_C_DISCONNECT_ID:
	case CTL_C_TERMINATE_ID:
		return ops->disconnect_id;
	case CTL_C_TERMINATE_SESSION:
		return ops->terminate_session;
	case CTL_C_BAN_IP:
		return ops->ban_ip;
	case CTL_C_UNBAN_IP:
		return ops->unban_ip;
	case CTL_C_RELOAD:
		return ops->reload;
	case CTL_C_STOP:
		return ops->stop;
	case CTL_C__COUNT:
		break;
	}
	return false;
}

cJSON *ctl_dispatch(const struct ctl_ops *ops, void *ctx, const struct ctl_request *req,
		    bool *subscribe)
{
	char errbuf[256] = "";
	cJSON *data = nullptr, *resp;
	struct ctl_status st = {};
	uint32_t id = 0;
	int err = 0;

	*subscribe = false;
	if (req->cmd >= CTL_C__COUNT || !op_present(ops, req->cmd))
		return ctl_response_error("not supported");
	switch (req->cmd) {
	case CTL_C_STATUS:
		err = ops->status(ctx, &st);
		if (!err && !(data = status_json(&st)))
			err = -ENOMEM;
		break;
	case CTL_C_SHOW_USERS:
	case CTL_C_SHOW_USER:
	case CTL_C_SHOW_ID:
	case CTL_C_SHOW_IROUTES:
	case CTL_C_SHOW_EVENTS:
		data = users_reply(ops, ctx, req, &err);
		*subscribe = !err && req->cmd == CTL_C_SHOW_EVENTS;
		break;
	case CTL_C_SHOW_SESSIONS:
	case CTL_C_SHOW_SESSION:
		data = sessions_reply(ops, ctx, req, &err);
		break;
	case CTL_C_SHOW_BANS:
		data = bans_reply(ops->list_bans, ctx, &err);
		break;
	case CTL_C_SHOW_BAN_POINTS:
		data = bans_reply(ops->list_ban_points, ctx, &err);
		break;
	case CTL_C_DISCONNECT_USER:
	case CTL_C_TERMINATE_USER:
		data = count_reply(
			ops->disconnect_user(ctx, req->arg, req->cmd == CTL_C_TERMINATE_USER),
			&err);
		break;
	case CTL_C_DISCONNECT_ID:
	case CTL_C_TERMINATE_ID:
		if (!parse_id(req->arg, &id)) {
			err = -EINVAL;
			break;
		}
		data = count_reply(ops->disconnect_id(ctx, id, req->cmd == CTL_C_TERMINATE_ID),
				   &err);
		break;
	case CTL_C_TERMINATE_SESSION:
		data = count_reply(ops->terminate_session(ctx, req->arg), &err);
		break;
	case CTL_C_BAN_IP:
		if (!is_ip(req->arg)) {
			err = -EINVAL;
			break;
		}
		err = ops->ban_ip(ctx, req->arg, req->seconds);
		data = err ? nullptr : count_reply(1, &err);
		break;
	case CTL_C_UNBAN_IP: {
		if (!is_ip(req->arg)) {
			err = -EINVAL;
			break;
		}
		int r = ops->unban_ip(ctx, req->arg);
		data = count_reply(r == -ENOENT ? 0 : (r < 0 ? r : 1), &err);
		break;
	}
	case CTL_C_RELOAD:
		err = ops->reload(ctx, errbuf, sizeof(errbuf));
		errbuf[sizeof(errbuf) - 1] = '\0';
		break;
	case CTL_C_STOP:
		err = ops->stop(ctx);
		break;
	case CTL_C__COUNT:
		unreachable();
	}
	if (err) {
		cJSON_Delete(data);
		*subscribe = false;
		if (err == -ENOMEM)
			return nullptr;
		return ctl_response_error(errbuf[0] ? errbuf : strerror(-err));
	}
	resp = cJSON_CreateObject();
	if (!resp || !cJSON_AddTrueToObject(resp, CTL_K_OK)) {
		cJSON_Delete(resp);
		cJSON_Delete(data);
		return nullptr;
	}
	if (!data)
		data = cJSON_CreateNull();
	if (!data || !cJSON_AddItemToObject(resp, CTL_K_DATA, data)) {
		cJSON_Delete(data);
		cJSON_Delete(resp);
		return nullptr;
	}
	return resp;
}
