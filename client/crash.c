/* placeholder */
typedef int prosum_placeholder_crash;
