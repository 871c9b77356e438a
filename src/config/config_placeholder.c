/* Placeholder so the module library is never empty; remove when real files land. */
int config_placeholder_unused(void);
int config_placeholder_unused(void) { return 0; }
