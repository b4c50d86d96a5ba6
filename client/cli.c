/* placeholder */
typedef int prosum_placeholder_cli;
int main(void) { return 0; }
