/* tls.c - placeholder, replaced by the module. */
