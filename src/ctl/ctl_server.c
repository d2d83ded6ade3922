// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl/ctl_server.c — the occtl Unix socket: accept, read bounded request lines, answer through
 * ctl_cmd.c, push events to subscribers. Main-thread loop only; commands run inline. */
#include "ctl/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/compiler.h"
#include "core/list.h"
#include "core/log.h"
#include "core/loop.h"
#include "ctl/ctl_priv.h"

enum {
	CTL_READ_CHUNK = 4096,
	CTL_READS_PER_EVENT = 32,	     /* then let other fds have a turn (level-triggered) */
	CTL_MAX_RESPONSE = 64 * 1024 * 1024, /* pending output per client */
	CTL_IDLE_S = 30,		     /* a non-subscriber silent this long is closed */
	CTL_ACCEPTS_PER_EVENT = 16,
};

struct ctl_server;

struct ctl_client {
	struct list_node node; /* in srv->clients while open */
	struct ctl_server *srv;
	struct loop_watch w;
	struct timer idle;
	struct buf in, out;
	bool subscribed;
	bool closing; /* close once out is flushed; read nothing more */
	bool dead;
	struct loop_call free_call;
};

struct ctl_server {
	struct loop *l;
	struct loop_watch w;
	char path[sizeof(((struct sockaddr_un *)nullptr)->sun_path)];
	const struct ctl_ops *ops; /* borrowed */
	void *ctx;		   /* borrowed */
	struct list_node clients;
	size_t n_clients;
};

static void client_free_deferred(struct loop_call *call)
{
	struct ctl_client *c = container_of(call, struct ctl_client, free_call);

	buf_fini(&c->in);
	buf_fini(&c->out);
	free(c);
}

/* Close now; memory goes after the loop turn, since other events of this batch may name it. */
static void client_close(struct ctl_client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	loop_watch_del(c->srv->l, &c->w);
	close(c->w.fd);
	c->w.fd = -1;
	loop_timer_cancel(c->srv->l, &c->idle);
	list_del(&c->node);
	c->srv->n_clients--;
	loop_defer(c->srv->l, &c->free_call, client_free_deferred);
}

static void client_update_events(struct ctl_client *c)
{
	uint32_t ev = 0;

	if (!c->closing)
		ev |= EPOLLIN;
	if (buf_used(&c->out))
		ev |= EPOLLOUT;
	if (loop_watch_mod(c->srv->l, &c->w, ev) < 0)
		client_close(c);
}

static void client_flush(struct ctl_client *c)
{
	while (!c->dead && buf_used(&c->out)) {
		ssize_t n = send(c->w.fd, buf_head(&c->out), buf_used(&c->out), MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_close(c);
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
	if (c->dead)
		return;
	if (!buf_used(&c->out)) {
		buf_reset(&c->out, CTL_READ_CHUNK);
		if (c->closing) {
			client_close(c);
			return;
		}
	}
	client_update_events(c);
}

/* Queue one JSON line; takes ownership of j. false: the client was closed. */
static bool client_send_json(struct ctl_client *c, cJSON *j)
{
	char *txt = j ? cJSON_PrintUnformatted(j) : nullptr;
	bool ok = false;

	cJSON_Delete(j);
	if (txt && buf_append(&c->out, txt, strlen(txt)) == 0 && buf_append(&c->out, "\n", 1) == 0)
		ok = true;
	free(txt);
	if (!ok) {
		log_msg(LOG_WARNING, "ctl: response dropped (no memory or client too slow)");
		client_close(c);
	}
	return ok;
}

static void client_reply_error(struct ctl_client *c, const char *msg, bool then_close)
{
	if (!client_send_json(c, ctl_response_error(msg)))
		return;
	if (then_close)
		c->closing = true;
}

static void client_handle_line(struct ctl_client *c, const char *line, size_t len)
{
	struct ctl_request req;
	bool subscribe = false;
	int ret;

	ret = ctl_request_parse(line, len, &req);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:
		client_reply_error(c, "unknown command", false);
		return;
	case -EINVAL:
		client_reply_error(c, "missing argument", false);
		return;
	case -E2BIG:
		client_reply_error(c, "request too large", true);
		return;
	default:
		client_reply_error(c, "malformed request", true);
		return;
	}
	log_msg(LOG_DEBUG, "ctl: command \"%s\"", line);
	if (!client_send_json(c, ctl_dispatch(c->srv->ops, c->srv->ctx, &req, &subscribe)))
		return;
	if (subscribe) {
		c->subscribed = true;
		loop_timer_cancel(c->srv->l, &c->idle);
	}
}

static void client_process(struct ctl_client *c)
{
	while (!c->dead && !c->closing) {
		uint8_t *head = buf_head(&c->in);
		uint8_t *nl = memchr(head, '\n', buf_used(&c->in));
		size_t len;

		if (!nl) {
			if (buf_used(&c->in) > CTL_MAX_REQUEST)
				client_reply_error(c, "request too large", true);
			return;
		}
		len = (size_t)(nl - head);
		*nl = '\0'; /* the log line and strerror-free parser both see a C string */
		client_handle_line(c, (const char *)head, len);
		if (c->dead)
			return;
		buf_consume(&c->in, len + 1);
	}
}

static void client_on_event(struct loop_watch *w, uint32_t events)
{
	struct ctl_client *c = container_of(w, struct ctl_client, w);

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		for (int i = 0; i < CTL_READS_PER_EVENT && !c->dead && !c->closing; i++) {
			ssize_t n;

			/* Room for one more chunk, bounded by the request limit plus its newline.
			 */
			if (buf_reserve(&c->in, CTL_READ_CHUNK) < 0) {
				client_reply_error(c, "request too large", true);
				break;
			}
			n = read(c->w.fd, buf_tail(&c->in), buf_room(&c->in));
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN)
					client_close(c);
				break;
			}
			if (n == 0) {
				c->closing = true; /* answer what is complete, then close */
				break;
			}
			c->in.len += (size_t)n;
			client_process(c);
		}
		if (!c->dead && !c->subscribed && !c->closing)
			loop_timer_arm(c->srv->l, &c->idle,
				       loop_now_ns(c->srv->l) + (uint64_t)CTL_IDLE_S * NS_PER_SEC);
	}
	if (!c->dead)
		client_flush(c);
}

static void client_on_idle(struct timer *t)
{
	struct ctl_client *c = container_of(t, struct ctl_client, idle);

	log_msg(LOG_DEBUG, "ctl: idle client closed");
	client_close(c);
}

static void server_on_accept(struct loop_watch *w, uint32_t events)
{
	struct ctl_server *srv = container_of(w, struct ctl_server, w);

	(void)events;
	for (int i = 0; i < CTL_ACCEPTS_PER_EVENT; i++) {
		struct ctl_client *c;
		int fd = accept4(srv->w.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_msg(LOG_WARNING, "ctl: accept: %s", strerror(errno));
			return;
		}
		if (srv->n_clients >= CTL_MAX_CLIENTS) {
			log_msg(LOG_WARNING, "ctl: too many control clients, refusing one");
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = srv;
		/* +1: the newline after a request of exactly CTL_MAX_REQUEST bytes. */
		buf_init(&c->in, CTL_MAX_REQUEST + 1 + CTL_READ_CHUNK);
		buf_init(&c->out, CTL_MAX_RESPONSE);
		timer_init(&c->idle, client_on_idle);
		if (loop_watch_add(srv->l, &c->w, fd, EPOLLIN, client_on_event) < 0) {
			close(fd);
			buf_fini(&c->in);
			buf_fini(&c->out);
			free(c);
			continue;
		}
		list_add_tail(&srv->clients, &c->node);
		srv->n_clients++;
		loop_timer_arm(srv->l, &c->idle,
			       loop_now_ns(srv->l) + (uint64_t)CTL_IDLE_S * NS_PER_SEC);
	}
}

int ctl_server_new(struct loop *l, const char *path, const struct ctl_ops *ops, void *ctx,
		   struct ctl_server **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_server *srv;
	struct stat st;
	int fd = -1, ret;

	*out = nullptr;
	if (!path || !*path)
		path = CTL_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	/* A socket left by a previous run is replaced; anything else is not ours to delete. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_msg(LOG_ERR, "ctl: \"%s\" exists and is not a socket", path);
			return -EEXIST;
		}
		if (unlink(path) < 0)
			return -errno;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->l = l;
	srv->ops = ops;
	srv->ctx = ctx;
	list_init(&srv->clients);
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	/* On Linux the socket inode's mode is the file's at bind(): never briefly world-open. */
	if (fchmod(fd, 0660) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (chmod(path, 0660) < 0 || listen(fd, CTL_MAX_CLIENTS) < 0) {
		ret = -errno;
		goto err_unlink;
	}
	ret = loop_watch_add(l, &srv->w, fd, EPOLLIN, server_on_accept);
	if (ret)
		goto err_unlink;
	*out = srv;
	return 0;
err_unlink:
	unlink(path);
err_close:
	close(fd);
err_free:
	free(srv);
	log_msg(LOG_ERR, "ctl: cannot listen on \"%s\": %s", path, strerror(-ret));
	return ret;
}

void ctl_server_free(struct ctl_server *srv)
{
	struct list_node *pos, *tmp;

	if (!srv)
		return;
	list_for_each_safe (pos, tmp, &srv->clients) {
		struct ctl_client *c = list_entry(pos, struct ctl_client, node);
		client_close(c);
	}
	loop_watch_del(srv->l, &srv->w);
	close(srv->w.fd);
	unlink(srv->path);
	free(srv);
}

void ctl_server_event(struct ctl_server *srv, const struct ctl_event *ev)
{
	struct list_node *pos, *tmp;
	cJSON *msg, *e, *u;
	char *txt;
	size_t len;

	if (!srv || !ev || !ev->user)
		return;
	msg = cJSON_CreateObject();
	e = msg ? cJSON_AddObjectToObject(msg, CTL_K_EVENT) : nullptr;
	u = e ? ctl_user_json(ev->user) : nullptr;
	if (!u || !cJSON_AddBoolToObject(e, CTL_K_CONNECTED, ev->connected) ||
	    !cJSON_AddStringToObject(e, CTL_K_REASON, ev->reason ? ev->reason : "unknown") ||
	    !cJSON_AddItemToObject(e, CTL_K_USER, u)) {
		cJSON_Delete(u);
		cJSON_Delete(msg);
		return;
	}
	txt = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	if (!txt)
		return;
	len = strlen(txt);
	txt[len++] = '\n'; /* replaces the NUL: the buffer is used with its length from here */
	list_for_each_safe (pos, tmp, &srv->clients) {
		struct ctl_client *c = list_entry(pos, struct ctl_client, node);
		if (!c->subscribed || c->closing)
			continue;
		if (buf_append(&c->out, txt, len) < 0) {
			log_msg(LOG_WARNING, "ctl: events subscriber too slow, dropped");
			client_close(c);
			continue;
		}
		client_flush(c);
	}
	free(txt);
}
