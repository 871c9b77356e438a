/* Placeholder so the module library is never empty; remove when real files land. */
int core_placeholder_unused(void);
int core_placeholder_unused(void) { return 0; }
