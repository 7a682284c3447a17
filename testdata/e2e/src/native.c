/* libacmenative.so: the native asset of Acme.Native. */
int acme_answer(void) { return 42; }
