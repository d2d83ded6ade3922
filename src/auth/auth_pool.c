// SPDX-License-Identifier: GPL-2.0-or-later
/* auth/auth_pool.c — worker threads that run blocking verification off the event loops: a
 * FIFO of requests, the method chosen from the config, and delivery of verdicts by loop_post. */
#include "auth/auth.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "config/config.h"
#include "core/compiler.h"
#include "core/log.h"

/* nice of the auth threads: CFS gives a nice-0 worker ~9x their share when both want a CPU */
enum { AUTH_THREAD_NICE = 10 };

struct auth_pool;

/* The seam for methods (plain now; PAM, RADIUS later): fills req->verdict and req->group from
 * req->username/password, which were checked for termination and username validity. */
typedef void auth_verify_fn(const struct auth_pool *p, struct auth_request *req);

struct auth_pool {
	auth_verify_fn *verify; /* immutable after new */
	char *passwd_path;	/* immutable after new; plain only */

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct list_node queue; /* locked: struct auth_request.node */
	bool stopping;		/* locked */

	pthread_t *threads;
	unsigned nthreads; /* started so far */
};

bool auth_username_is_valid(const char *user)
{
	size_t len = strnlen(user, AUTH_NAME_MAX);

	if (len == 0 || len == AUTH_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)user[i];
		if (c < 0x20 || c == 0x7f || c == ':')
			return false;
	}
	return true;
}

static void auth_verify_plain(const struct auth_pool *p, struct auth_request *req)
{
	/* A -errno has already been logged by auth_plain_verify and left verdict AUTH_ERROR. */
	(void)auth_plain_verify(p->passwd_path, req->username, req->password, &req->verdict,
				req->group);
}

static void auth_pool_on_reply(struct loop_call *c)
{
	struct auth_request *req = container_of(c, struct auth_request, call);

	req->on_done(req);
}

/* Wipes the password and hands req back to its loop; req is not touched after this. */
static void auth_pool_reply(struct auth_request *req)
{
	explicit_bzero(req->password, sizeof(req->password));
	loop_post(req->reply_loop, &req->call, auth_pool_on_reply);
}

static void auth_pool_handle(const struct auth_pool *p, struct auth_request *req)
{
	if (req->run) {
		req->run(req);
		auth_pool_reply(req);
		return;
	}
	req->verdict = AUTH_DENIED;
	req->group[0] = '\0';
	if (auth_username_is_valid(req->username) &&
	    strnlen(req->password, AUTH_NAME_MAX) < AUTH_NAME_MAX)
		p->verify(p, req);
	if (req->verdict == AUTH_OK && req->after_ok)
		req->after_ok(req);
	auth_pool_reply(req);
}

static void *auth_pool_thread(void *arg)
{
	struct auth_pool *p = arg;

	/* Password hashing yields to the workers: a login storm must not add latency to the
	 * tunnels already up. Best effort: a failure changes nothing else. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), AUTH_THREAD_NICE);
	for (;;) {
		struct auth_request *req;

		pthread_mutex_lock(&p->lock);
		while (list_is_empty(&p->queue) && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stopping) {
			pthread_mutex_unlock(&p->lock);
			break; /* what is still queued is answered by auth_pool_free */
		}
		req = list_entry(p->queue.next, struct auth_request, node);
		list_del(&req->node);
		pthread_mutex_unlock(&p->lock);
		auth_pool_handle(p, req);
	}
	return nullptr;
}

void auth_pool_submit(struct auth_pool *p, struct auth_request *req)
{
	bool stopping;

	BUG_ON(!req->reply_loop || !req->on_done);
	req->verdict = AUTH_ERROR;
	req->group[0] = '\0';
	pthread_mutex_lock(&p->lock);
	stopping = p->stopping;
	if (!stopping) {
		list_add_tail(&p->queue, &req->node);
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	if (stopping)
		auth_pool_reply(req); /* AUTH_ERROR: the pool is going away */
}

static int auth_plain_setup(struct auth_pool *p, const struct config *cfg)
{
	if (!cfg->auth_passwd || !cfg->auth_passwd[0]) {
		log_msg(LOG_ERR, "auth: plain: no password file configured");
		return -EINVAL;
	}
	p->passwd_path = strdup(cfg->auth_passwd);
	return p->passwd_path ? 0 : -ENOMEM;
}

/* One row per method of cfg->auth: PAM and RADIUS add theirs here. */
static const struct auth_method {
	enum cfg_auth_method method;
	int (*setup)(struct auth_pool *p, const struct config *cfg);
	auth_verify_fn *verify;
} auth_methods[] = {
	{CFG_AUTH_PLAIN, auth_plain_setup, auth_verify_plain},
};

static int auth_pool_method_set(struct auth_pool *p, const struct config *cfg)
{
	for (size_t i = 0; i < ARRAY_SIZE(auth_methods); i++) {
		const struct auth_method *m = &auth_methods[i];
		int ret;

		if (m->method != cfg->auth)
			continue;
		ret = m->setup(p, cfg);
		if (ret)
			return ret;
		p->verify = m->verify;
		return 0;
	}
	log_msg(LOG_ERR, "auth: no supported authentication method configured (%d)",
		(int)cfg->auth);
	return -EINVAL;
}

/* Auth threads take no signals: those belong to the main thread. */
static int auth_pool_threads_start(struct auth_pool *p, unsigned threads)
{
	sigset_t all, old;
	int ret = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < threads; i++) {
		ret = -pthread_create(&p->threads[i], nullptr, auth_pool_thread, p);
		if (ret) {
			log_msg(LOG_ERR, "auth: cannot start thread: %s", strerror(-ret));
			break;
		}
		p->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, nullptr);
	return ret;
}

int auth_pool_new(const struct config *cfg, unsigned threads, struct auth_pool **out)
{
	struct auth_pool *p;
	int ret;

	*out = nullptr;
	if (threads == 0 || threads > AUTH_POOL_MAX_THREADS) {
		log_msg(LOG_ERR, "auth: thread count %u not in 1..%u", threads,
			(unsigned)AUTH_POOL_MAX_THREADS);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, nullptr);
	pthread_cond_init(&p->cond, nullptr);
	list_init(&p->queue);
	ret = auth_pool_method_set(p, cfg);
	if (ret)
		goto out;
	p->threads = calloc(threads, sizeof(*p->threads));
	if (!p->threads) {
		ret = -ENOMEM;
		goto out;
	}
	ret = auth_pool_threads_start(p, threads);
	if (ret)
		goto out;
	*out = p;
	p = nullptr; /* ownership moved to the caller */
out:
	auth_pool_free(p);
	return ret;
}

void auth_pool_free(struct auth_pool *p)
{
	struct list_node *pos, *tmp;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], nullptr);
	/* No thread is left: the queue is ours without the lock. */
	list_for_each_safe (pos, tmp, &p->queue) {
		struct auth_request *req = list_entry(pos, struct auth_request, node);

		list_del(pos);
		req->verdict = AUTH_ERROR;
		req->group[0] = '\0';
		auth_pool_reply(req);
	}
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p->passwd_path);
	free(p);
}
