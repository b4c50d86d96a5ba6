/* fuzz_msglink.c - fuzz harness of the commit-message grammar that links commits to items. */
#include <string.h>

#include "fuzz.h"
#include "git/links.h"

/* What links.h promises about out[0, n) holding every distinct link found. */
static void check_refs(const links_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const links_ref *r = &refs[i];

		FUZZ_CHECK(r->type == 'R' || r->type == 'G' || r->type == 'S');
		FUZZ_CHECK(r->kind == (r->type == 'S' ? LINKS_IMPLEMENT : LINKS_FIX));
		FUZZ_CHECK(r->num >= 1 && r->num <= 999999999999999LL);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(refs[k].type != r->type || refs[k].num != r->num);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data;
	links_ref *all, *some;
	size_t room = LINKS_MAX_REFS, n, bound, k;

	/* Everything, with as much room as the first answer asks for. */
	all = malloc(room * sizeof(*all));
	FUZZ_CHECK(all != NULL);
	n = links_parse(msg, size, all, room);
	if (n > room) {
		room = n;
		free(all);
		all = malloc(room * sizeof(*all));
		FUZZ_CHECK(all != NULL);
		n = links_parse(msg, size, all, room);
		FUZZ_CHECK(n <= room);
	}
	check_refs(all, n);
	/* A link needs a verb, a separator and an id: at least "fix R-1". */
	FUZZ_CHECK(n == 0 || n * 3 <= size);

	/* Without room the answer is an upper bound, zero only when there is nothing. */
	bound = links_parse(msg, size, NULL, 0);
	FUZZ_CHECK(bound >= n && (bound == 0) == (n == 0));

	/* With less room: the first links in the same order, and a count beyond the room. */
	k = size ? data[0] % (n + 1) : 0;
	if (k < n) {
		some = malloc((k ? k : 1) * sizeof(*some));
		FUZZ_CHECK(some != NULL);
		bound = links_parse(msg, size, some, k);
		FUZZ_CHECK(bound > k && bound >= n);
		for (size_t i = 0; i < k; i++)
			FUZZ_CHECK(some[i].kind == all[i].kind && some[i].type == all[i].type &&
				   some[i].num == all[i].num);
		free(some);
	}

	/* An empty message may come without a pointer. */
	FUZZ_CHECK(links_parse(NULL, 0, all, room) == 0);
	free(all);
	return 0;
}
