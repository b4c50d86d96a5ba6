/* crash.h - the crash record the signal handler writes, shared with symbolize.c. */
#ifndef PROSUM_CLIENT_CRASH_H
#define PROSUM_CLIENT_CRASH_H

#endif
