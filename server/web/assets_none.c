/* assets_none.c - the asset table of a prosumd built with -DPROSUM_WEB=OFF: one page saying so. */
#include "web/assets.h"

static const unsigned char page[] =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>prosum</title>\n</head>\n<body>\n"
    "<h1>prosum</h1>\n<p>The web app was not built into this prosumd (it was configured with "
    "-DPROSUM_WEB=OFF). Run scripts/bootstrap, then configure and build again with "
    "-DPROSUM_WEB=ON. The JSON API under /api/v1/ works as usual.</p>\n"
    "</body>\n</html>\n";

/* An array may not be empty in C11: one entry that no path names (not under /assets/). */
const web_asset web_assets[] = {{"", "", "\"\"", "\"\"", page, 0, NULL, 0}};
const size_t web_asset_count = 0;
const web_asset web_index = {"/index.html", "text/html; charset=utf-8", "\"none\"", "\"none.gz\"",
			     page, sizeof(page) - 1, NULL, 0};
