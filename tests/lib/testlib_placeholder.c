int testlib_placeholder_unused(void);
int testlib_placeholder_unused(void) { return 0; }
