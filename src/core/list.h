// SPDX-License-Identifier: GPL-2.0-or-later
/* core/list.h — intrusive circular doubly linked list. */
#pragma once

#include <stddef.h>

#include "core/compiler.h"

struct list_node {
	struct list_node *next, *prev;
};

static inline void list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_is_empty(const struct list_node *head)
{
	return head->next == head;
}

static inline bool list_node_is_linked(const struct list_node *n)
{
	return n->next && n->next != n;
}

static inline void list_add_tail(struct list_node *head, struct list_node *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_safe(pos, tmp, head)                                                         \
	for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)
