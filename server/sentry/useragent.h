/* useragent.h - the operating system a User-Agent names, as release health's platform. */
#ifndef PROSUM_SENTRY_USERAGENT_H
#define PROSUM_SENTRY_USERAGENT_H

/*
 * The platform (schema/0025_health_platform.sql) of a User-Agent header as browsers and HTTP
 * clients send it (a Sentry session's attrs.user_agent): "Windows", "macOS" ("Mac OS X",
 * "Macintosh"), "iOS" (iPhone, iPad, iPod), "Android", "ChromeOS" (CrOS), "Linux"; "" for
 * NULL and for anything else. The answer is a static string.
 */
const char *useragent_platform(const char *ua);

#endif
