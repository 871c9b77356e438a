/* Placeholder so the module library is never empty; remove when real files land. */
int proto_placeholder_unused(void);
int proto_placeholder_unused(void) { return 0; }
