/* placeholder */
typedef int prosum_placeholder_symbolize;
