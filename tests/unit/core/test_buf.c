// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for core/buf.c: growth, hard maximum, consumption and compaction. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"

static void test_append_consume(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(buf_append(&b, "hello", 5), 0);
	assert_int_equal(buf_used(&b), 5);
	buf_consume(&b, 2);
	assert_memory_equal(buf_head(&b), "llo", 3);
	assert_int_equal(buf_append(&b, "!", 1), 0);
	assert_memory_equal(buf_head(&b), "llo!", 4);
	buf_consume(&b, 100);
	assert_int_equal(buf_used(&b), 0);
	buf_fini(&b);
}

static void test_hard_max(void **state)
{
	uint8_t chunk[300] = {};
	struct buf b;

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(buf_append(&b, chunk, 300), 0);
	assert_int_equal(buf_append(&b, chunk, 300), 0);
	assert_int_equal(buf_append(&b, chunk, 300), 0);
	assert_int_equal(buf_append(&b, chunk, 100), 0);    /* exactly the limit */
	assert_int_equal(buf_append(&b, chunk, 1), -E2BIG); /* one past it */
	buf_consume(&b, 500);
	/* consumed space is reclaimed by compaction */
	assert_int_equal(buf_append(&b, chunk, 300), 0);
	assert_int_equal(buf_used(&b), 800);
	buf_fini(&b);
}

static void test_small_max(void **state)
{
	uint8_t chunk[100] = {};
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, chunk, 60), 0);
	assert_int_equal(buf_append(&b, chunk, 40), 0);
	assert_int_equal(buf_append(&b, chunk, 1), -E2BIG);
	assert_true(b.cap <= 100);
	buf_fini(&b);
}

static void test_reset_frees_large(void **state)
{
	uint8_t chunk[4096] = {};
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
	buf_reset(&b, 1024);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_consume),
		cmocka_unit_test(test_hard_max),
		cmocka_unit_test(test_small_max),
		cmocka_unit_test(test_reset_frees_large),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
