/* symbolize.c - crash records into crash reports: parse, symbolise with libdw, queue. */
#include "lib/symbolize.h"

#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rfc3339.h"
#include "lib/client.h"
#include "lib/crash.h"
#include "lib/error.h"
#include "lib/util.h"

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGILL:
		return "SIGILL";
	case SIGFPE:
		return "SIGFPE";
	case SIGABRT:
		return "SIGABRT";
	default:
		return "signal";
	}
}

/* The exception value: "invalid read at 0x0", "integer divide by zero at 0x4011d6", ... */
static void describe(char *out, size_t n, const crash_record *r)
{
	switch (r->signal) {
	case SIGSEGV:
	case SIGBUS:
		if (strcmp(r->access, "read") == 0 || strcmp(r->access, "write") == 0)
			snprintf(out, n, "invalid %s at 0x%" PRIx64, r->access, r->address);
		else
			snprintf(out, n, "invalid access at 0x%" PRIx64, r->address);
		break;
	case SIGFPE:
		snprintf(out, n, "%s at 0x%" PRIx64,
			 r->code == FPE_INTDIV   ? "integer divide by zero"
			 : r->code == FPE_INTOVF ? "integer overflow"
			 : r->code == FPE_FLTDIV ? "floating-point divide by zero"
						 : "arithmetic exception",
			 r->pc);
		break;
	case SIGILL:
		snprintf(out, n, "illegal instruction at 0x%" PRIx64, r->pc);
		break;
	case SIGABRT:
		snprintf(out, n, "abort");
		break;
	default:
		snprintf(out, n, "signal %d at 0x%" PRIx64, r->signal, r->pc);
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The build id of a module as lower-case hex, "" when unknown. */
static void module_build_id(Dwfl_Module *mod, char *out, size_t n)
{
	const unsigned char *bits = NULL;
	GElf_Addr vaddr, bias;
	int len;

	/* The file is opened lazily; its build id is known once it is. */
	dwfl_module_getelf(mod, &bias);
	len = dwfl_module_build_id(mod, &bits, &vaddr);

	out[0] = '\0';
	for (int i = 0; len > 0 && i < len && (size_t)(2 * i + 2) < n; i++)
		snprintf(out + 2 * i, 3, "%02x", bits[i]);
}

/* Report the crashed process's modules from its saved maps, else the executable alone. */
static Dwfl *open_dwfl(const crash_record *r, const Dwfl_Callbacks *proc, const Dwfl_Callbacks *off)
{
	Dwfl *dwfl = NULL;
	FILE *f = NULL;

	if (r->maps_len > 0) {
		dwfl = dwfl_begin(proc);
		f = dwfl ? fmemopen((void *)r->maps, r->maps_len, "r") : NULL;
		if (f) {
			dwfl_report_begin(dwfl);
			if (dwfl_linux_proc_maps_report(dwfl, f) == 0 &&
			    dwfl_report_end(dwfl, NULL, NULL) == 0) {
				fclose(f);
				return dwfl;
			}
			fclose(f);
		}
		dwfl_end(dwfl);
	}
	/* No usable maps: the executable at its recorded load bias (PIE). */
	if (!r->exe[0])
		return NULL;
	dwfl = dwfl_begin(off);
	if (!dwfl)
		return NULL;
	dwfl_report_begin(dwfl);
	if (!dwfl_report_elf(dwfl, base_name(r->exe), r->exe, -1, r->base, false) ||
	    dwfl_report_end(dwfl, NULL, NULL) != 0) {
		dwfl_end(dwfl);
		return NULL;
	}
	return dwfl;
}

/* Where the crash happened in the backtrace: the entry equal to the pc, else after the handler. */
static size_t first_frame(const crash_record *r)
{
	for (size_t i = 0; i < r->nframes; i++) {
		if (r->frames[i] == r->pc)
			return i;
	}
	/* The handler and the kernel's signal trampoline come first. */
	return r->nframes > 2 ? 2 : 0;
}

static void strip_root(const char **file, const char *root)
{
	size_t n = root ? strlen(root) : 0;

	if (n && strncmp(*file, root, n) == 0) {
		*file += n;
		while (**file == '/')
			(*file)++;
	}
}

static int add_frames(prosum_report *rep, const crash_record *r, const char *source_root)
{
	char *debuginfo_path = NULL;
	const Dwfl_Callbacks proc = {
	    .find_elf = dwfl_linux_proc_find_elf,
	    .find_debuginfo = dwfl_standard_find_debuginfo,
	    .debuginfo_path = &debuginfo_path,
	};
	const Dwfl_Callbacks off = {
	    .find_elf = dwfl_build_id_find_elf,
	    .find_debuginfo = dwfl_standard_find_debuginfo,
	    .section_address = dwfl_offline_section_address,
	    .debuginfo_path = &debuginfo_path,
	};
	Dwfl *dwfl = open_dwfl(r, &proc, &off);
	size_t start = first_frame(r);
	int rc = 0;

	for (size_t i = start; i < r->nframes && rc == 0; i++) {
		prosum_frame fr = PROSUM_FRAME_INIT;
		char function[512];
		/* A return address points after the call: look up the call itself. */
		Dwarf_Addr pc = i == start ? r->frames[i] : r->frames[i] - 1;
		Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, pc) : NULL;
		fr.address = (uintptr_t)r->frames[i];
		if (mod) {
			const char *path =
			    dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
			int trusted = 1;
			if (path) {
				fr.module = base_name(path);
				/* The executable may have been rebuilt since it crashed. */
				if (strcmp(path, r->exe) == 0 && r->build_id[0]) {
					char id[129];
					module_build_id(mod, id, sizeof(id));
					trusted = id[0] && strcmp(id, r->build_id) == 0;
				}
			}
			if (trusted) {
				Dwfl_Line *line = dwfl_module_getsrc(mod, pc);
				const char *fn = dwfl_module_addrname(mod, pc);
				int lineno = 0;
				if (fn) {
					/* "__libc_start_main@@GLIBC_2.34": the symbol version is
					 * noise. */
					snprintf(function, sizeof(function), "%.*s",
						 (int)strcspn(fn, "@"), fn);
					fr.function = function;
				}
				if (line) {
					const char *file =
					    dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
					if (file) {
						strip_root(&file, source_root);
						fr.file = file;
						fr.line = lineno > 0 ? (unsigned int)lineno : 0;
					}
				}
			}
		}
		rc = prosum_report_add_frame(rep, &fr);
	}
	if (dwfl)
		dwfl_end(dwfl);
	return rc;
}

/* Build the crash report of one record; caller frees *out. */
static int record_report(prosum_report **out, prosum_client *c, const crash_record *r)
{
	prosum_report *rep = NULL;
	char value[128], ts[32];
	int rc;

	rc = prosum_report_new(&rep, PROSUM_KIND_CRASH);
	if (rc)
		goto out;
	rfc3339_format(ts, (int64_t)r->time);
	if (json_object_set_new(rep->root, "uuid", json_string(r->uuid)) != 0 ||
	    json_object_set_new(rep->root, "timestamp", json_string(ts)) != 0) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	/* The build that crashed, which is not necessarily the one running now. */
	rc = prosum_report_set_build(rep, r->version[0] ? r->version : NULL,
				     r->revision[0] ? r->revision : NULL,
				     r->channel[0] ? r->channel : NULL);
	if (rc)
		goto out;
	if (r->install_id[0]) {
		json_t *t = json_object();
		if (!t || json_object_set_new(rep->root, "tester", t) != 0 ||
		    json_object_set_new(t, "install_id", json_string(r->install_id)) != 0) {
			rc = error_set(PROSUM_ENOMEM, "out of memory");
			goto out;
		}
	}
	describe(value, sizeof(value), r);
	rc = prosum_report_set_exception(rep, signal_name(r->signal), value);
	if (rc == 0)
		rc = add_frames(rep, r, r->source_root[0] ? r->source_root : c->source_root);
	if (rc)
		goto out;
	*out = rep;
	rep = NULL;
out:
	prosum_report_free(rep);
	return rc;
}

/* One record: queue its report and delete it, or set it aside. 1 when a report was queued. */
static int convert(prosum_client *c, const char *name)
{
	char *path = util_path_join(spool_dir(c->spool), name), *bad = NULL;
	char *bytes = NULL;
	prosum_report *rep = NULL;
	report_defaults d;
	envelope env;
	crash_record r;
	size_t len;
	int rc, queued = 0;

	memset(&env, 0, sizeof(env));
	if (!path)
		return 0;
	rc = util_read_file(&bytes, &len, path, PROSUM_CRASH_MAX_FILE + PROSUM_CRASH_MAX_MAPS);
	if (rc == PROSUM_EIO)
		goto out; /* gone: another process converted it */
	if (rc == 0)
		rc = crash_record_parse(&r, bytes, len);
	if (rc == 0)
		rc = record_report(&rep, c, &r);
	if (rc == 0) {
		client_defaults(c, &d);
		rc = report_complete(rep, &d);
	}
	if (rc == 0)
		rc = report_envelope(&env, rep);
	if (rc == 0)
		rc = spool_write(c->spool, &env, NULL);
	if (rc == 0) {
		/* Durable as a report now: the record can go. */
		spool_remove(c->spool, name);
		client_count(c, CLIENT_QUEUED);
		queued = 1;
	} else if (rc == PROSUM_EINVALID || rc == PROSUM_ETOOBIG) {
		spool_log(c->spool, "crash record %s set aside: %s", name, prosum_error_last());
		bad = malloc(strlen(path) + 5);
		if (bad) {
			memcpy(bad, path, strlen(path));
			memcpy(bad + strlen(path), ".bad", 5);
			rename(path, bad);
		}
	}
	/* Other failures (I/O, memory) leave the record for the next start. */
out:
	envelope_free(&env);
	prosum_report_free(rep);
	free(bytes);
	free(bad);
	free(path);
	return queued;
}

int symbolize_pending(prosum_client *c)
{
	spool_entry *list = NULL;
	size_t n = 0;
	int queued = 0;

	if (spool_list(c->spool, ".crash", &list, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		queued += convert(c, list[i].name);
	free(list);
	return queued;
}
