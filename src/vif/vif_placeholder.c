/* Placeholder so the module library is never empty; remove when real files land. */
int vif_placeholder_unused(void);
int vif_placeholder_unused(void) { return 0; }
