/* placeholder */
typedef int prosum_placeholder_beta_app;
int main(void) { return 0; }
