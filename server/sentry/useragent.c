/* useragent.c - the operating system a User-Agent names, as release health's platform. */
#include "sentry/useragent.h"

#include <string.h>

/* The tokens that name each platform, most specific first: a phone's agent names its
 * desktop cousin too ("iPhone ... like Mac OS X", "Linux; Android 14", "X11; CrOS x86_64"),
 * so the first rule that matches wins. */
static const struct {
	const char *token, *platform;
} rules[] = {
    {"iPhone", "iOS"},      {"iPad", "iOS"},        {"iPod", "iOS"},
    {"Android", "Android"}, {"CrOS", "ChromeOS"},   {"Windows", "Windows"},
    {"Mac OS X", "macOS"},  {"Macintosh", "macOS"}, {"Linux", "Linux"},
};

const char *useragent_platform(const char *ua)
{
	size_t i;

	if (!ua)
		return "";
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strstr(ua, rules[i].token))
			return rules[i].platform;
	return "";
}
