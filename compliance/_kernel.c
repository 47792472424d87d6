/*
 * compliance._kernel: the per-character and per-word loops of a scan, compiled.
 *
 * Python keeps the logic a reader needs to follow (alignment, rules, verdicts);
 * this file does the work that is the same for every crawled page and costs a
 * few nanoseconds per character or word when compiled, but a Python object
 * per word otherwise:
 *
 *   tokenize(text, ...)     folded word tokens with exact spans in the original
 *                           string (read straight from the str's storage);
 *   screen(texts, ...)      for a batch of pages: tokenize, hash every word
 *                           k-gram, look them up in the seed index, score the
 *                           candidate works, hash sentence windows (simhash)
 *                           and look them up in the near-duplicate index.  Only
 *                           the candidate work numbers come back as Python
 *                           objects, so a page that copies nothing costs no
 *                           Python work at all.
 *
 * Every result is bit-for-bit the one the numpy reference code in
 * compliance/text.py, fingerprint.py and index.py gives (tests/test_kernel.py).
 * Nothing here allocates Python objects per word.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ fold codes */
/* The fold table (built in compliance/text.py) gives one uint32 per code point:
 *   0            separator (not part of a word)
 *   0xFFFFFFFF   skip (invisible: zero-width space, soft hyphen, accents)
 *   bit 31       expansion: bits 24..27 length, bits 0..23 index into the expansion array
 *   bit 30       solo: a character of a script written without spaces (Han, kana, Thai ...),
 *                one token by itself
 *   bit 29       mark: a combining mark that belongs to the token before it (Thai vowels, tones)
 *   otherwise    the folded code point of a word character
 */
#define F_SEP 0u
#define F_SKIP 0xFFFFFFFFu
#define F_EXPAND 0x80000000u
#define F_SOLO 0x40000000u
#define F_MARK 0x20000000u
#define F_CODE 0x001FFFFFu

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

/* Bits set in x (SWAR: the compiler's builtin is a library call on CPUs without POPCNT). */
static inline int popcount64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
}

static inline int is_sentence_end(Py_UCS4 c) {
    return c == '.' || c == '\n' || c == '!' || c == '?' || c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
}

typedef struct {
    const uint32_t *fold;   /* 0x10000 entries (BMP) */
    const uint32_t *expand; /* expansion code points */
    Py_ssize_t n_expand;
    const uint64_t *mult;   /* 64 odd position multipliers */
    PyObject *astral;       /* callable: code point >= 0x10000 -> fold code */
} folder_t;

/* Token output (growable scratch, reused across pages). */
typedef struct {
    uint64_t *hash;
    int64_t *start, *end;
    int32_t *sentence;
    uint8_t *numeric;
    Py_ssize_t n, cap;
} toks_t;

/* *p resized to n items of item bytes (left as it was when memory runs out) */
static int resize(void **p, Py_ssize_t n, size_t item) {
    void *a = realloc(*p, (size_t)n * item);
    if (!a) return -1;
    *p = a;
    return 0;
}

static int toks_reserve(toks_t *t, Py_ssize_t cap) {
    if (cap <= t->cap) return 0;
    Py_ssize_t c = t->cap ? t->cap : 1024;
    while (c < cap) c *= 2;
    if (resize((void **)&t->hash, c, sizeof(uint64_t)) < 0 || resize((void **)&t->start, c, sizeof(int64_t)) < 0 ||
        resize((void **)&t->end, c, sizeof(int64_t)) < 0 || resize((void **)&t->sentence, c, sizeof(int32_t)) < 0 ||
        resize((void **)&t->numeric, c, 1) < 0)
        return -1;
    t->cap = c;
    return 0;
}

static void toks_free(toks_t *t) {
    free(t->hash);
    free(t->start);
    free(t->end);
    free(t->sentence);
    free(t->numeric);
    memset(t, 0, sizeof(*t));
}

static uint32_t fold_astral(const folder_t *f, Py_UCS4 cp, int *err) {
    PyObject *r = PyObject_CallFunction(f->astral, "I", (unsigned int)cp);
    if (!r) {
        *err = 1;
        return F_SEP;
    }
    unsigned long v = PyLong_AsUnsignedLong(r);
    Py_DECREF(r);
    if (PyErr_Occurred()) {
        *err = 1;
        return F_SEP;
    }
    return (uint32_t)v;
}

/* Tokenize one str into t (appending nothing: t->n is reset). Returns 0, or -1 with an exception set. */
static int tokenize_str(const folder_t *f, PyObject *str, toks_t *t) {
    Py_ssize_t len = PyUnicode_GET_LENGTH(str);
    int kind = PyUnicode_KIND(str);
    const void *data = PyUnicode_DATA(str);
    t->n = 0;
    if (toks_reserve(t, len + 1) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    int state = 0; /* 0 no token, 1 word token, 2 solo token */
    uint64_t acc = 0;
    uint32_t tlen = 0, first = 0;
    Py_ssize_t tstart = 0, tend = 0;
    int32_t sentence = 0;
    const uint64_t *mult = f->mult;
    int err = 0;

#define CLOSE()                                                                                \
    do {                                                                                       \
        if (state) {                                                                           \
            Py_ssize_t k_ = t->n++;                                                            \
            t->hash[k_] = mix64(acc + (uint64_t)tlen);                                         \
            t->start[k_] = tstart;                                                             \
            t->end[k_] = tend;                                                                 \
            t->numeric[k_] = (first >= '0' && first <= '9');                                   \
            t->sentence[k_] = sentence;                                                        \
            Py_UCS4 nx_ = PyUnicode_READ(kind, data, tend < len ? tend : len - 1);              \
            if (is_sentence_end(nx_)) sentence++;                                              \
            state = 0;                                                                         \
        }                                                                                      \
    } while (0)
#define ADD(c)                                                                                 \
    do {                                                                                       \
        uint32_t c_ = (c);                                                                     \
        if (tlen == 0) first = c_;                                                             \
        acc += (uint64_t)c_ * mult[tlen & 63];                                                 \
        tlen++;                                                                                \
    } while (0)
#define OPEN(s, i)                                                                             \
    do {                                                                                       \
        state = (s);                                                                           \
        acc = 0;                                                                               \
        tlen = 0;                                                                              \
        tstart = (i);                                                                          \
    } while (0)

#define TOKEN_LOOP() \
    for (Py_ssize_t i = 0; i < len; i++) { \
        Py_UCS4 cp = READ(i); \
        uint32_t v = cp < 0x10000 ? f->fold[cp] : fold_astral(f, cp, &err); \
        if (err) return -1; \
        if (v == F_SKIP) continue; \
        if (v == F_SEP) { \
            CLOSE(); \
            continue; \
        } \
        if (v & F_EXPAND) { \
            uint32_t n = (v >> 24) & 0xF, idx = v & 0xFFFFFF; \
            if (idx + n > (uint32_t)f->n_expand) { \
                PyErr_SetString(PyExc_ValueError, "fold table expansion out of range"); \
                return -1; \
            } \
            if (state != 1) { \
                CLOSE(); \
                OPEN(1, i); \
            } \
            for (uint32_t e = 0; e < n; e++) ADD(f->expand[idx + e]); \
            tend = i + 1; \
            continue; \
        } \
        if (v & F_SOLO) { \
            CLOSE(); \
            OPEN(2, i); \
            ADD(v & F_CODE); \
            tend = i + 1; \
            continue; \
        } \
        if (v & F_MARK) { \
            if (state) { \
                ADD(v & F_CODE); \
                tend = i + 1; \
            } \
            continue; \
        } \
        if (state != 1) { \
            CLOSE(); \
            OPEN(1, i); \
        } \
        ADD(v); \
        tend = i + 1; \
    }
    /* one loop per storage width of the str, so that reading a character is one array access */
    if (kind == PyUnicode_1BYTE_KIND) {
#define READ(j) ((Py_UCS4)((const Py_UCS1 *)data)[j])
        TOKEN_LOOP();
#undef READ
    } else if (kind == PyUnicode_2BYTE_KIND) {
#define READ(j) ((Py_UCS4)((const Py_UCS2 *)data)[j])
        TOKEN_LOOP();
#undef READ
    } else {
#define READ(j) ((Py_UCS4)((const Py_UCS4 *)data)[j])
        TOKEN_LOOP();
#undef READ
    }
#undef TOKEN_LOOP
    CLOSE();
#undef CLOSE
#undef ADD
#undef OPEN
    return 0;
}

/* ------------------------------------------------------------------ buffers */

typedef struct {
    Py_buffer views[24];
    int n;
} bufs_t;

static void bufs_release(bufs_t *b) {
    for (int i = 0; i < b->n; i++) PyBuffer_Release(&b->views[i]);
    b->n = 0;
}

/* A C-contiguous buffer of the given item size (0: any), or NULL with an exception set. */
static const void *get_buf(bufs_t *b, PyObject *obj, Py_ssize_t itemsize, Py_ssize_t *n_items, const char *what) {
    if (b->n >= 24) {
        PyErr_SetString(PyExc_RuntimeError, "too many buffers");
        return NULL;
    }
    Py_buffer *v = &b->views[b->n];
    if (PyObject_GetBuffer(obj, v, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    b->n++;
    if (itemsize && v->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes, got %zd", what, itemsize, v->itemsize);
        return NULL;
    }
    if (n_items) *n_items = v->itemsize ? v->len / v->itemsize : v->len;
    return v->buf;
}

static int get_folder(bufs_t *b, PyObject *fold, PyObject *expand, PyObject *mult, PyObject *astral, folder_t *f) {
    Py_ssize_t n;
    f->fold = get_buf(b, fold, 4, &n, "fold");
    if (!f->fold) return -1;
    if (n < 0x10000) {
        PyErr_SetString(PyExc_ValueError, "fold table must cover the Basic Multilingual Plane");
        return -1;
    }
    f->expand = get_buf(b, expand, 4, &f->n_expand, "expand");
    if (!f->expand) return -1;
    f->mult = get_buf(b, mult, 8, &n, "mult");
    if (!f->mult) return -1;
    if (n < 64) {
        PyErr_SetString(PyExc_ValueError, "mult must hold 64 multipliers");
        return -1;
    }
    if (!PyCallable_Check(astral)) {
        PyErr_SetString(PyExc_TypeError, "astral must be callable");
        return -1;
    }
    f->astral = astral;
    return 0;
}

static PyObject *bytes_of(const void *p, Py_ssize_t n) { return PyByteArray_FromStringAndSize((const char *)p, n); }

/* tokenize(text, fold, expand, mult, astral) -> (hashes, starts, ends, sentence, numeric) as bytearrays */
static PyObject *k_tokenize(PyObject *self, PyObject *args) {
    PyObject *text, *fold, *expand, *mult, *astral;
    if (!PyArg_ParseTuple(args, "UOOOO", &text, &fold, &expand, &mult, &astral)) return NULL;
    bufs_t b = {0};
    folder_t f;
    toks_t t = {0};
    PyObject *res = NULL;
    if (get_folder(&b, fold, expand, mult, astral, &f) < 0) goto done;
    if (tokenize_str(&f, text, &t) < 0) goto done;
    res = Py_BuildValue("(NNNNN)", bytes_of(t.hash, t.n * 8), bytes_of(t.start, t.n * 8), bytes_of(t.end, t.n * 8),
                        bytes_of(t.sentence, t.n * 4), bytes_of(t.numeric, t.n));
done:
    toks_free(&t);
    bufs_release(&b);
    return res;
}

/* ------------------------------------------------------------------ screening */

typedef struct {
    /* seed index */
    const uint64_t *hashes;
    const int32_t *works;
    const int32_t *positions;
    Py_ssize_t n;
    const uint8_t *table;
    Py_ssize_t table_len;
    int shift;
    const void *offsets;
    int offsets_wide; /* 8-byte offsets */
    int bucket_bits;
    /* near index */
    const uint64_t *nvalues;
    const int32_t *nworks;
    Py_ssize_t nn;
    const uint32_t *nkeys;   /* blocks x nn, sorted per block */
    const int32_t *norders;  /* blocks x nn */
    const uint64_t *nsvalues; /* blocks x nn: each block's values in its key order */
    const int64_t *nstarts;  /* blocks x (2^width + 1), or NULL */
    Py_ssize_t nstarts_row;
    int blocks;
    int widths[64], shifts[64];
    int near_k;
    /* settings */
    int k, window_words, near_min_words, min_hits, diag, cwindow, max_cand;
    double min_score;
    const uint64_t *kmult; /* at least k multipliers */
} screen_t;

typedef struct {
    int64_t work, d, p;
} hit_t;

typedef struct {
    int64_t work;
    double score;
} cand_t;

static int cand_cmp(const void *a, const void *b) {
    const cand_t *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->work < y->work ? -1 : (x->work > y->work);
}

static int i64_cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : (x > y);
}

typedef struct {
    int32_t *first, *last;
    uint64_t *value;
    Py_ssize_t n, cap;
} wins_t;

static int wins_push(wins_t *w, Py_ssize_t a, Py_ssize_t b) {
    if (w->n + 1 > w->cap) {
        Py_ssize_t c = w->cap ? w->cap * 2 : 64;
        if (resize((void **)&w->first, c, sizeof(int32_t)) < 0 || resize((void **)&w->last, c, sizeof(int32_t)) < 0 ||
            resize((void **)&w->value, c, sizeof(uint64_t)) < 0)
            return -1;
        w->cap = c;
    }
    w->first[w->n] = (int32_t)a;
    w->last[w->n] = (int32_t)b; /* end (exclusive) until values are computed */
    w->n++;
    return 0;
}

static void wins_free(wins_t *w) {
    free(w->first);
    free(w->last);
    free(w->value);
    memset(w, 0, sizeof(*w));
}

typedef struct {
    hit_t *hits, *hits_tmp; /* hits_tmp: the radix sort's other buffer */
    Py_ssize_t nh, caph, capt;
    int32_t *df;      /* per k-gram position */
    Py_ssize_t capd;
    uint64_t *kg;
    Py_ssize_t capk;
    Py_ssize_t *pass; /* k-grams that pass the bit table */
    Py_ssize_t capp;
    int64_t *near;
    Py_ssize_t nnear, capn;
    wins_t wins;
} scratch_t;

static int grow(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    if (resize(p, c, item) < 0) return -1;
    *cap = c;
    return 0;
}

/* Hits in (work, d, p) order (the order the candidate scores read them in): hits are made in ascending p, so a stable sort
 * on (work, d) is enough, and an LSD radix sort (11 bits a pass; a pass where every hit has the same digit is
 * skipped) does it without a comparison call per step.  Both fields are offset by 2^31, which keeps the order
 * of the int32 values they hold. */
static inline uint64_t hit_key(const hit_t *h) {
    return ((uint64_t)(uint32_t)(h->work + 0x80000000LL) << 32) | (uint32_t)(h->d + 0x80000000LL);
}

static int sort_hits(scratch_t *sc) {
    Py_ssize_t n = sc->nh;
    if (grow((void **)&sc->hits_tmp, &sc->capt, n, sizeof(hit_t)) < 0) return -1;
    hit_t *src = sc->hits, *dst = sc->hits_tmp;
    Py_ssize_t count[2048];
    for (int shift = 0; shift < 64; shift += 11) {
        memset(count, 0, sizeof(count));
        for (Py_ssize_t i = 0; i < n; i++) count[(hit_key(&src[i]) >> shift) & 2047]++;
        if (count[(hit_key(&src[0]) >> shift) & 2047] == n) continue;
        Py_ssize_t sum = 0;
        for (int b = 0; b < 2048; b++) {
            Py_ssize_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (Py_ssize_t i = 0; i < n; i++) dst[count[(hit_key(&src[i]) >> shift) & 2047]++] = src[i];
        hit_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != sc->hits) { /* the sorted hits are in the other buffer: swap the buffers */
        Py_ssize_t c = sc->caph;
        sc->hits_tmp = sc->hits;
        sc->caph = sc->capt;
        sc->capt = c;
        sc->hits = src;
    }
    return 0;
}

static uint64_t spread_table[256];

static void init_spread(void) {
    for (int v = 0; v < 256; v++) {
        uint64_t s = 0;
        for (int i = 0; i < 8; i++)
            if (v >> i & 1) s |= (uint64_t)1 << (8 * i);
        spread_table[v] = s;
    }
}

/* Simhash of the word-bigram features in [a, b) (features: mix64(h[t]*K0 + h[t+1]*K1)). */
static uint64_t window_simhash(const uint64_t *h, Py_ssize_t a, Py_ssize_t b, const uint64_t *kmult) {
    int32_t counts[64] = {0};
    uint64_t lanes[8];
    Py_ssize_t t = a;
    while (t < b) {
        Py_ssize_t stop = t + 255 < b ? t + 255 : b; /* byte lanes hold up to 255 */
        memset(lanes, 0, sizeof(lanes));
        for (; t < stop; t++) {
            uint64_t x = mix64(h[t] * kmult[0] + h[t + 1] * kmult[1]);
            for (int j = 0; j < 8; j++) lanes[j] += spread_table[(x >> (8 * j)) & 0xFF];
        }
        for (int j = 0; j < 8; j++)
            for (int i = 0; i < 8; i++) counts[8 * j + i] += (int32_t)((lanes[j] >> (8 * i)) & 0xFF);
    }
    uint64_t v = 0;
    Py_ssize_t nfeat = b - a;
    for (int i = 0; i < 64; i++)
        if ((int64_t)counts[i] * 2 > nfeat) v |= (uint64_t)1 << i;
    return v;
}

/* The sentence windows of compliance.fingerprint.simhash_window_arrays: whole sentences, about
 * window_words tokens each, a short tail joined to the window before it, never crossing a hard cut
 * (hard: sorted token positions, e.g. document starts in a batch); then the simhash of each. */
static int compute_windows(const uint64_t *h, const int32_t *sentence, Py_ssize_t n, int ww, const int64_t *hard,
                           Py_ssize_t nhard, const uint64_t *kmult, wins_t *w) {
    w->n = 0;
    if (n == 0) return 0;
    Py_ssize_t first = 0, hp = 0;
    Py_ssize_t min_tail = ww / 3 > 4 ? ww / 3 : 4;
    int first_hard = 0; /* is `first` a hard cut */
    while (hp < nhard && hard[hp] < 1) {
        if (hard[hp] == 0) first_hard = 1;
        hp++;
    }
    for (Py_ssize_t b = 1; b <= n; b++) {
        int is_hard = 0;
        while (hp < nhard && hard[hp] < b) hp++;
        if (hp < nhard && hard[hp] == b) is_hard = 1;
        if (b < n && !is_hard && sentence[b] == sentence[b - 1]) continue;
        if (b - first >= ww || b == n || is_hard) {
            if (b - first < min_tail && w->n && !first_hard) {
                w->last[w->n - 1] = (int32_t)b;
            } else if (b > first) {
                if (wins_push(w, first, b) < 0) return -1;
            }
            first = b;
            first_hard = is_hard;
        }
    }
    Py_ssize_t nf = n >= 2 ? n - 1 : n;
    for (Py_ssize_t k = 0; k < w->n; k++) {
        Py_ssize_t a = w->first[k], end = w->last[k];
        if (n < 2) { /* one token: its unigram feature */
            w->value[k] = mix64(h[0]);
        } else {
            Py_ssize_t fa = a < nf ? a : nf;
            Py_ssize_t fb = end - 1 < nf ? end - 1 : nf;
            if (fb < a + 1) fb = a + 1;
            if (fb > nf) fb = nf;
            w->value[k] = fa < fb ? window_simhash(h, fa, fb, kmult) : 0;
        }
        w->last[k] = (int32_t)(end - 1);
    }
    return 0;
}

/* Near-duplicate works of one window value: push every indexed window's work within near_k bits. */
static int near_query(const screen_t *s, uint64_t v, scratch_t *sc) {
    for (int b = 0; b < s->blocks; b++) {
        uint32_t q = (uint32_t)((v >> s->shifts[b]) & (((uint64_t)1 << s->widths[b]) - 1));
        const uint32_t *keys = s->nkeys + (Py_ssize_t)b * s->nn;
        const int32_t *orders = s->norders + (Py_ssize_t)b * s->nn;
        const uint64_t *svals = s->nsvalues + (Py_ssize_t)b * s->nn;
        Py_ssize_t lo, hi;
        if (s->nstarts) {
            const int64_t *st = s->nstarts + (Py_ssize_t)b * s->nstarts_row;
            lo = st[q];
            hi = st[q + 1];
        } else {
            Py_ssize_t l = 0, r = s->nn;
            while (l < r) {
                Py_ssize_t m = (l + r) / 2;
                if (keys[m] < q) l = m + 1; else r = m;
            }
            lo = l;
            r = s->nn;
            while (l < r) {
                Py_ssize_t m = (l + r) / 2;
                if (keys[m] <= q) l = m + 1; else r = m;
            }
            hi = l;
        }
        for (Py_ssize_t r = lo; r < hi; r++) {
            if (popcount64(svals[r] ^ v) <= s->near_k) {
                if (grow((void **)&sc->near, &sc->capn, sc->nnear + 1, sizeof(int64_t)) < 0) return -1;
                sc->near[sc->nnear++] = s->nworks[orders[r]];
            }
        }
    }
    return 0;
}

static inline Py_ssize_t offset_at(const screen_t *s, Py_ssize_t i) {
    return s->offsets_wide ? (Py_ssize_t)((const uint64_t *)s->offsets)[i] : (Py_ssize_t)((const uint32_t *)s->offsets)[i];
}

/* Candidate works of one tokenized page (the logic of SeedIndex.candidates_many and Matcher._near_many). */
static PyObject *screen_one(const screen_t *s, const toks_t *t, scratch_t *sc) {
    Py_ssize_t n = t->n, k = s->k;
    Py_ssize_t nk = n - k + 1;
    Py_ssize_t ncand = 0;
    cand_t *cands = NULL;
    sc->nh = 0;
    sc->nnear = 0;
    /* 1. every k-gram, looked up */
    if (nk > 0 && s->n > 0) {
        if (grow((void **)&sc->kg, &sc->capk, nk, sizeof(uint64_t)) < 0) goto nomem;
        if (grow((void **)&sc->df, &sc->capd, nk, sizeof(int32_t)) < 0) goto nomem;
        const uint64_t *h = t->hash;
        for (Py_ssize_t i = 0; i < nk; i++) {
            uint64_t acc = h[i] * s->kmult[0];
            for (Py_ssize_t j = 1; j < k; j++) acc += h[i + j] * s->kmult[j];
            sc->kg[i] = mix64(acc);
        }
        /* In phases, so that the cache misses of many k-grams overlap (the tables are far larger than the
         * caches): the bit table for all, then the bucket offsets of those that pass, then the buckets. */
        Py_ssize_t max_top = s->table_len * 8;
        if (grow((void **)&sc->pass, &sc->capp, nk, sizeof(Py_ssize_t)) < 0) goto nomem;
        Py_ssize_t npass = 0;
        for (Py_ssize_t i = 0; i < nk; i++) {
            if (i + 16 < nk) __builtin_prefetch(&s->table[(sc->kg[i + 16] >> s->shift) >> 3]);
            uint64_t top = sc->kg[i] >> s->shift;
            sc->df[i] = 0;
            if ((Py_ssize_t)top < max_top && ((s->table[top >> 3] >> (top & 7)) & 1)) sc->pass[npass++] = i;
        }
        for (Py_ssize_t x = 0; x < npass; x++) {
            Py_ssize_t bkt = (Py_ssize_t)(sc->kg[sc->pass[x]] >> (64 - s->bucket_bits));
            if (s->offsets_wide) __builtin_prefetch(&((const uint64_t *)s->offsets)[bkt]);
            else __builtin_prefetch(&((const uint32_t *)s->offsets)[bkt]);
        }
        for (Py_ssize_t x = 0; x < npass; x++) {
            Py_ssize_t bkt = (Py_ssize_t)(sc->kg[sc->pass[x]] >> (64 - s->bucket_bits));
            __builtin_prefetch(&s->hashes[offset_at(s, bkt)]);
        }
        for (Py_ssize_t x = 0; x < npass; x++) {
            Py_ssize_t i = sc->pass[x];
            uint64_t q = sc->kg[i];
            Py_ssize_t bkt = (Py_ssize_t)(q >> (64 - s->bucket_bits));
            Py_ssize_t lo = offset_at(s, bkt), end = offset_at(s, bkt + 1);
            while (lo < end && s->hashes[lo] < q) lo++;
            int32_t cnt = 0;
            while (lo < s->n && s->hashes[lo] == q) {
                if (grow((void **)&sc->hits, &sc->caph, sc->nh + 1, sizeof(hit_t)) < 0) goto nomem;
                sc->hits[sc->nh].work = s->works[lo];
                sc->hits[sc->nh].p = i;
                sc->hits[sc->nh].d = (int64_t)i - s->positions[lo];
                sc->nh++;
                cnt++;
                lo++;
            }
            sc->df[i] = cnt;
        }
    }
    /* 2. supported hits per work, weighted by 1/sqrt(df) */
    if (sc->nh >= 2) {
        if (sort_hits(sc) < 0) goto nomem;
        cands = malloc(sizeof(cand_t) * sc->nh);
        if (!cands) goto nomem;
        hit_t *H = sc->hits;
        Py_ssize_t i = 0;
        while (i < sc->nh) {
            Py_ssize_t j = i;
            while (j < sc->nh && H[j].work == H[i].work) j++;
            double score = 0;
            Py_ssize_t count = 0;
            for (Py_ssize_t x = i; x < j; x++) {
                int sup = 0;
                if (x > i) {
                    const hit_t *a = &H[x - 1], *c = &H[x];
                    if (llabs(c->d - a->d) <= s->diag && llabs(c->p - a->p) <= s->cwindow && c->p != a->p) sup = 1;
                }
                if (!sup && x + 1 < j) {
                    const hit_t *a = &H[x], *c = &H[x + 1];
                    if (llabs(c->d - a->d) <= s->diag && llabs(c->p - a->p) <= s->cwindow && c->p != a->p) sup = 1;
                }
                if (sup) {
                    count++;
                    score += 1.0 / sqrt((double)sc->df[H[x].p]);
                }
            }
            if (count >= s->min_hits && score >= s->min_score) {
                cands[ncand].work = H[i].work;
                cands[ncand].score = score;
                ncand++;
            }
            i = j;
        }
        qsort(cands, ncand, sizeof(cand_t), cand_cmp);
        if (ncand > s->max_cand) ncand = s->max_cand;
    }
    /* 3. sentence windows: simhash, then the near-duplicate index (bucket bounds of every window and block
     * fetched first, then the buckets, so that their cache misses overlap) */
    if (s->nn > 0 && n >= 1) {
        if (compute_windows(t->hash, t->sentence, n, s->window_words, NULL, 0, s->kmult, &sc->wins) < 0) goto nomem;
        if (s->nstarts) {
            for (Py_ssize_t w = 0; w < sc->wins.n; w++) {
                if (sc->wins.last[w] - sc->wins.first[w] + 1 < s->near_min_words) continue;
                uint64_t v = sc->wins.value[w];
                for (int b = 0; b < s->blocks; b++) {
                    uint32_t q = (uint32_t)((v >> s->shifts[b]) & (((uint64_t)1 << s->widths[b]) - 1));
                    __builtin_prefetch(&s->nstarts[(Py_ssize_t)b * s->nstarts_row + q]);
                }
            }
            for (Py_ssize_t w = 0; w < sc->wins.n; w++) {
                if (sc->wins.last[w] - sc->wins.first[w] + 1 < s->near_min_words) continue;
                uint64_t v = sc->wins.value[w];
                for (int b = 0; b < s->blocks; b++) {
                    uint32_t q = (uint32_t)((v >> s->shifts[b]) & (((uint64_t)1 << s->widths[b]) - 1));
                    Py_ssize_t lo = s->nstarts[(Py_ssize_t)b * s->nstarts_row + q];
                    __builtin_prefetch(&s->nsvalues[(Py_ssize_t)b * s->nn + lo]);
                }
            }
        }
        for (Py_ssize_t w = 0; w < sc->wins.n; w++)
            if (sc->wins.last[w] - sc->wins.first[w] + 1 >= s->near_min_words)
                if (near_query(s, sc->wins.value[w], sc) < 0) goto nomem;
    }
    /* 4. exact candidates first, then near ones not among them, up to max_cand */
    PyObject *out = PyList_New(0);
    if (!out) {
        free(cands);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < ncand; i++) {
        PyObject *w = PyLong_FromLongLong(cands[i].work);
        if (!w || PyList_Append(out, w) < 0) {
            Py_XDECREF(w);
            Py_DECREF(out);
            free(cands);
            return NULL;
        }
        Py_DECREF(w);
    }
    if (sc->nnear) {
        qsort(sc->near, sc->nnear, sizeof(int64_t), i64_cmp);
        Py_ssize_t room = s->max_cand - ncand;
        for (Py_ssize_t i = 0; i < sc->nnear && room > 0; i++) {
            if (i > 0 && sc->near[i] == sc->near[i - 1]) continue;
            int dup = 0;
            for (Py_ssize_t c = 0; c < ncand; c++)
                if (cands[c].work == sc->near[i]) {
                    dup = 1;
                    break;
                }
            if (dup) continue;
            PyObject *w = PyLong_FromLongLong(sc->near[i]);
            if (!w || PyList_Append(out, w) < 0) {
                Py_XDECREF(w);
                Py_DECREF(out);
                free(cands);
                return NULL;
            }
            Py_DECREF(w);
            room--;
        }
    }
    free(cands);
    return out;
nomem:
    free(cands);
    return PyErr_NoMemory();
}

static int get_int(PyObject *d, const char *key, int *out) {
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v) {
        PyErr_Format(PyExc_KeyError, "screen config: missing %s", key);
        return -1;
    }
    long x = PyLong_AsLong(v);
    if (x == -1 && PyErr_Occurred()) return -1;
    *out = (int)x;
    return 0;
}

static PyObject *get_obj(PyObject *d, const char *key) {
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v) PyErr_Format(PyExc_KeyError, "screen config: missing %s", key);
    return v;
}

static int load_index(bufs_t *b_, PyObject *cfg, screen_t *sp) {
    PyObject *o;
    Py_ssize_t n;
    if (!(o = get_obj(cfg, "hashes")) || !(sp->hashes = get_buf(b_, o, 8, &sp->n, "hashes"))) return -1;
    if (!(o = get_obj(cfg, "works")) || !(sp->works = get_buf(b_, o, 4, &n, "works"))) return -1;
    if (n != sp->n) { PyErr_SetString(PyExc_ValueError, "works length"); return -1; }
    if (!(o = get_obj(cfg, "positions")) || !(sp->positions = get_buf(b_, o, 4, &n, "positions"))) return -1;
    if (n != sp->n) { PyErr_SetString(PyExc_ValueError, "positions length"); return -1; }
    if (!(o = get_obj(cfg, "table")) || !(sp->table = get_buf(b_, o, 1, &sp->table_len, "table"))) return -1;
    if (!(o = get_obj(cfg, "offsets"))) return -1;
    {
        Py_buffer *v = &b_->views[b_->n];
        if (!(sp->offsets = get_buf(b_, o, 0, &n, "offsets"))) return -1;
        if (v->itemsize != 4 && v->itemsize != 8) { PyErr_SetString(PyExc_TypeError, "offsets: 4 or 8 byte items"); return -1; }
        sp->offsets_wide = v->itemsize == 8;
    }
    int nbuckets_plus;
    if (get_int(cfg, "shift", &sp->shift) < 0 || get_int(cfg, "bucket_bits", &sp->bucket_bits) < 0) return -1;
    nbuckets_plus = (1 << sp->bucket_bits) + 1;
    if (n < nbuckets_plus) { PyErr_SetString(PyExc_ValueError, "offsets shorter than the buckets"); return -1; }
    if (get_int(cfg, "k", &sp->k) < 0 || get_int(cfg, "window_words", &sp->window_words) < 0 ||
        get_int(cfg, "near_min_words", &sp->near_min_words) < 0 || get_int(cfg, "min_hits", &sp->min_hits) < 0 ||
        get_int(cfg, "diag", &sp->diag) < 0 || get_int(cfg, "cwindow", &sp->cwindow) < 0 ||
        get_int(cfg, "max_cand", &sp->max_cand) < 0 || get_int(cfg, "near_k", &sp->near_k) < 0 ||
        get_int(cfg, "blocks", &sp->blocks) < 0)
        return -1;
    return 0;
}

/* screen(texts, fold, expand, mult, astral, config) -> list of candidate-work lists, one per text */
static PyObject *k_screen(PyObject *self, PyObject *args) {
    PyObject *texts, *fold, *expand, *mult, *astral, *cfg;
    if (!PyArg_ParseTuple(args, "OOOOOO!", &texts, &fold, &expand, &mult, &astral, &PyDict_Type, &cfg)) return NULL;
    PyObject *seq = PySequence_Fast(texts, "texts must be a sequence of str");
    if (!seq) return NULL;
    bufs_t b = {0};
    folder_t f;
    screen_t s;
    memset(&s, 0, sizeof(s));
    toks_t t = {0};
    scratch_t sc;
    memset(&sc, 0, sizeof(sc));
    PyObject *res = NULL, *o;
    Py_ssize_t n;
    if (get_folder(&b, fold, expand, mult, astral, &f) < 0) goto done;
    if (load_index(&b, cfg, &s) < 0) goto done;
    if (!(o = get_obj(cfg, "min_score"))) goto done;
    s.min_score = PyFloat_AsDouble(o);
    if (PyErr_Occurred()) goto done;
    if (!(o = get_obj(cfg, "kmult")) || !(s.kmult = get_buf(&b, o, 8, &n, "kmult"))) goto done;
    if (n < s.k || n < 2 || s.k < 1) { PyErr_SetString(PyExc_ValueError, "kmult shorter than k"); goto done; }
    if (s.blocks < 0 || s.blocks > 64) { PyErr_SetString(PyExc_ValueError, "blocks"); goto done; }
    if (!(o = get_obj(cfg, "near_values")) || !(s.nvalues = get_buf(&b, o, 8, &s.nn, "near_values"))) goto done;
    if (s.nn > 0) {
        if (!(o = get_obj(cfg, "near_works")) || !(s.nworks = get_buf(&b, o, 4, &n, "near_works"))) goto done;
        if (n != s.nn) { PyErr_SetString(PyExc_ValueError, "near_works length"); goto done; }
        if (!(o = get_obj(cfg, "near_keys")) || !(s.nkeys = get_buf(&b, o, 4, &n, "near_keys"))) goto done;
        if (n != s.nn * s.blocks) { PyErr_SetString(PyExc_ValueError, "near_keys shape"); goto done; }
        if (!(o = get_obj(cfg, "near_orders")) || !(s.norders = get_buf(&b, o, 4, &n, "near_orders"))) goto done;
        if (n != s.nn * s.blocks) { PyErr_SetString(PyExc_ValueError, "near_orders shape"); goto done; }
        if (!(o = get_obj(cfg, "near_svalues")) || !(s.nsvalues = get_buf(&b, o, 8, &n, "near_svalues"))) goto done;
        if (n != s.nn * s.blocks) { PyErr_SetString(PyExc_ValueError, "near_svalues shape"); goto done; }
        PyObject *widths = get_obj(cfg, "near_widths");
        if (!widths) goto done;
        int shift = 0;
        for (int i = 0; i < s.blocks; i++) {
            PyObject *w = PySequence_GetItem(widths, i);
            if (!w) goto done;
            s.widths[i] = (int)PyLong_AsLong(w);
            Py_DECREF(w);
            if (PyErr_Occurred()) goto done;
            s.shifts[i] = shift;
            shift += s.widths[i];
        }
        o = PyDict_GetItemString(cfg, "near_starts");
        if (o && o != Py_None) {
            if (!(s.nstarts = get_buf(&b, o, 8, &n, "near_starts"))) goto done;
            int maxw = 0;
            for (int i = 0; i < s.blocks; i++) maxw = s.widths[i] > maxw ? s.widths[i] : maxw;
            s.nstarts_row = ((Py_ssize_t)1 << maxw) + 1;
            if (n != s.nstarts_row * s.blocks) { PyErr_SetString(PyExc_ValueError, "near_starts shape"); goto done; }
            for (int i = 0; i < s.blocks; i++)
                if (s.widths[i] != maxw) { PyErr_SetString(PyExc_ValueError, "near_starts needs equal widths"); goto done; }
        }
    }
    Py_ssize_t ndocs = PySequence_Fast_GET_SIZE(seq);
    res = PyList_New(ndocs);
    if (!res) goto done;
    for (Py_ssize_t i = 0; i < ndocs; i++) {
        PyObject *text = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "texts must be str");
            Py_CLEAR(res);
            goto done;
        }
        if (tokenize_str(&f, text, &t) < 0) {
            Py_CLEAR(res);
            goto done;
        }
        PyObject *c = screen_one(&s, &t, &sc);
        if (!c) {
            Py_CLEAR(res);
            goto done;
        }
        PyList_SET_ITEM(res, i, c);
    }
done:
    toks_free(&t);
    free(sc.hits);
    free(sc.hits_tmp);
    free(sc.df);
    free(sc.kg);
    free(sc.pass);
    free(sc.near);
    wins_free(&sc.wins);
    bufs_release(&b);
    Py_DECREF(seq);
    return res;
}

/* ------------------------------------------------------------------ alignment
 *
 * align(...) is compliance.align.align's seed / cluster / extend / near / merge
 * pipeline for one (document, work) pair, step for step (the Python code in
 * align.py is the reference and documents each step; tests/test_kernel.py
 * checks that both give the same passages).  It returns the merged candidates
 * as tuples (d0, d1, w0, w1, dcov, wcov, seeds, monotone, method), method -1
 * for seed chains, -2 for "edited" (a merge of different methods), and the
 * Hamming distance for a near-duplicate window.
 */

typedef struct {
    int s, max_repeat, gap, min_seeds, min_words, min_words_edited, density_long_words, extend_window;
    int template_min_numbers, near_hamming, near_min_words, merge_gap;
    double density_short, density_long, template_min_kept;
    int chain_gap, max_insert;
    double chain_min_shared;
} align_cfg_t;

typedef struct {
    int64_t d0, d1, w0, w1, dcov, wcov, seeds;
    int monotone;
    int64_t method;
} acand_t;

typedef struct {
    acand_t *v;
    Py_ssize_t n, cap;
} acands_t;

static int acands_push(acands_t *a, acand_t c) {
    if (grow((void **)&a->v, &a->cap, a->n + 1, sizeof(acand_t)) < 0) return -1;
    a->v[a->n++] = c;
    return 0;
}

static void kgrams(const uint64_t *h, Py_ssize_t n, int s, const uint64_t *kmult, uint64_t *out) {
    for (Py_ssize_t i = 0; i + s <= n; i++) {
        uint64_t acc = h[i] * kmult[0];
        for (int j = 1; j < s; j++) acc += h[i + j] * kmult[j];
        out[i] = mix64(acc);
    }
}

typedef struct {
    int64_t key, rank, member;
} srt_t;

static int srt_cmp(const void *a, const void *b) {
    const srt_t *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->rank < y->rank ? -1 : (x->rank > y->rank);
}

/* members: list of segments in buf[seg[k]..seg[k+1]) */
typedef struct {
    int64_t *buf;
    Py_ssize_t n, cap;
    Py_ssize_t *seg;
    Py_ssize_t nseg, capseg; /* nseg = number of segments; seg has nseg+1 entries */
} segs_t;

static int segs_add(segs_t *s, const int64_t *m, Py_ssize_t len) {
    if (grow((void **)&s->buf, &s->cap, s->n + len, sizeof(int64_t)) < 0) return -1;
    if (grow((void **)&s->seg, &s->capseg, s->nseg + 2, sizeof(Py_ssize_t)) < 0) return -1;
    if (s->nseg == 0) s->seg[0] = 0;
    memcpy(s->buf + s->n, m, len * sizeof(int64_t));
    s->n += len;
    s->seg[++s->nseg] = s->n;
    return 0;
}

static void segs_clear(segs_t *s) {
    s->n = 0;
    s->nseg = 0;
}

static void segs_free(segs_t *s) {
    free(s->buf);
    free(s->seg);
    memset(s, 0, sizeof(*s));
}

/* Split members by key (stable sort), cutting where consecutive keys differ by more than gap.
 * Writes the sorted members into tmp and the cut points into cuts (count returned in *ncuts). */
static int split_by(const int64_t *members, Py_ssize_t len, const int64_t *key, int gap, srt_t *work, int64_t *sorted,
                    Py_ssize_t *cuts, Py_ssize_t *ncuts) {
    int in_order = 1;
    for (Py_ssize_t r = 1; r < len; r++)
        if (key[members[r]] < key[members[r - 1]]) {
            in_order = 0;
            break;
        }
    *ncuts = 0;
    if (in_order) { /* a stable sort would leave them as they are (most copies are in order on both sides) */
        for (Py_ssize_t r = 0; r < len; r++) {
            sorted[r] = members[r];
            if (r > 0 && key[members[r]] - key[members[r - 1]] > gap) cuts[(*ncuts)++] = r;
        }
        return 0;
    }
    for (Py_ssize_t r = 0; r < len; r++) {
        work[r].key = key[members[r]];
        work[r].rank = r;
        work[r].member = members[r];
    }
    qsort(work, len, sizeof(srt_t), srt_cmp);
    for (Py_ssize_t r = 0; r < len; r++) {
        sorted[r] = work[r].member;
        if (r > 0 && work[r].key - work[r - 1].key > gap) cuts[(*ncuts)++] = r;
    }
    return 0;
}

static Py_ssize_t covered(const int64_t *first, Py_ssize_t n, int s, int64_t lo, int64_t hi, uint8_t *mask) {
    Py_ssize_t span = hi - lo + 1, c = 0;
    if (span <= 0) return 0;
    memset(mask, 0, (size_t)span);
    for (Py_ssize_t k = 0; k < n; k++)
        for (int d = 0; d < s; d++) {
            int64_t p = first[k] + d - lo;
            if (p >= 0 && p < span) mask[p] = 1;
        }
    for (Py_ssize_t k = 0; k < span; k++) c += mask[k];
    return c;
}

static double required_density(int64_t words, const align_cfg_t *st) {
    if (words >= st->density_long_words) return st->density_long;
    int denom = st->density_long_words - st->min_words;
    double t = (double)(words - st->min_words) / (double)(denom > 1 ? denom : 1);
    if (t < 0.0) t = 0.0;
    if (t > 1.0) t = 1.0;
    return st->density_short + (st->density_long - st->density_short) * t;
}

static int accept_cand(const acand_t *c, const align_cfg_t *st) {
    int64_t m = c->dcov < c->wcov ? c->dcov : c->wcov;
    if (c->seeds < st->min_seeds || m < st->min_words) return 0;
    int64_t dlen = c->d1 - c->d0 + 1, wlen = c->w1 - c->w0 + 1;
    double need = required_density(m, st);
    return (double)c->dcov / (double)dlen >= need && (double)c->wcov / (double)wlen >= need;
}

static int64_t grow_edge(const uint64_t *src_h, const uint8_t *src_stop, int64_t pos, int step, const uint64_t *other_h,
                         int64_t olo, int64_t ohi, int64_t other_len, int64_t limit, int reach) {
    int64_t best = pos, matched = 0, crossed = 0;
    int64_t lo = olo > 0 ? olo : 0, hi = ohi > 0 ? ohi : 0;
    if (hi > other_len) hi = other_len;
    int64_t p = pos + step;
    while (p >= 0 && p < limit && crossed < reach) {
        crossed++;
        int in = 0;
        for (int64_t q = lo; q < hi; q++)
            if (other_h[q] == src_h[p]) {
                in = 1;
                break;
            }
        if (in) {
            matched++;
            if (!src_stop[p] && matched * 2 >= crossed) best = p;
        }
        p += step;
    }
    return best;
}

typedef struct htab_s htab_t;

/* One side of an alignment (a document or a work), prepared once and reused for every pair it is in:
 * its token arrays and windows (copied), its s-gram hashes and their table. */
typedef struct {
    uint64_t *h;
    uint8_t *stop, *numeric;
    Py_ssize_t n;
    int32_t *wf, *wl;
    uint64_t *wv;
    Py_ssize_t nw;
    int s;
    uint64_t *kg; /* n - s + 1 s-gram hashes */
    Py_ssize_t nk;
    uint8_t *stop_only; /* per s-gram: every word a stop word */
    int64_t *kcount;    /* per s-gram: how often this side holds it */
    htab_t *tab;
    uint64_t *filter; /* one bit per (key >> 32) & fmask: a key whose bit is clear is not in tab */
    uint64_t fmask;
} side_t;

/* The side may hold key (no false negatives): most of a document's s-grams are in no one candidate work, and
 * one bit of a small array in cache rules them out before a probe of the table (two arrays, far apart). */
static inline int side_may_hold(const side_t *S, uint64_t key) {
    uint64_t bit = (key >> 32) & S->fmask;
    return (int)((S->filter[bit >> 6] >> (bit & 63)) & 1);
}

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : (x > y);
}

/* Same wording, different figures: fewer than template_min_kept of the document's figures are the work's. */
static int is_template(const acand_t *c, const side_t *D, const side_t *W, const align_cfg_t *st) {
    int64_t nnum = 0;
    for (int64_t t = c->d0; t <= c->d1; t++) nnum += D->numeric[t];
    if (nnum < st->template_min_numbers) return 0;
    int64_t nw = 0;
    for (int64_t u = c->w0; u <= c->w1; u++) nw += W->numeric[u];
    uint64_t *wnum = malloc((nw ? nw : 1) * sizeof(uint64_t));
    if (!wnum) return -1;
    nw = 0;
    for (int64_t u = c->w0; u <= c->w1; u++)
        if (W->numeric[u]) wnum[nw++] = W->h[u];
    qsort(wnum, nw, sizeof(uint64_t), u64_cmp);
    int64_t kept = 0;
    for (int64_t t = c->d0; t <= c->d1; t++) {
        if (!D->numeric[t]) continue;
        uint64_t key = D->h[t];
        int64_t l = 0, r = nw;
        while (l < r) {
            int64_t m = (l + r) / 2;
            if (wnum[m] < key) l = m + 1; else r = m;
        }
        kept += l < nw && wnum[l] == key;
    }
    free(wnum);
    return (double)kept < st->template_min_kept * (double)nnum;
}

static int acand_cmp(const void *a, const void *b) {
    /* sort by (d0, w0), stable via the index stored in seeds' neighbour: see merge() */
    const acand_t *x = a, *y = b;
    if (x->d0 != y->d0) return x->d0 < y->d0 ? -1 : 1;
    if (x->w0 != y->w0) return x->w0 < y->w0 ? -1 : 1;
    return 0;
}

typedef struct {
    acand_t c;
    Py_ssize_t idx;
} acand_idx_t;

static int acand_idx_cmp(const void *a, const void *b) {
    const acand_idx_t *x = a, *y = b;
    int r = acand_cmp(&x->c, &y->c);
    if (r) return r;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Open-addressing table of s-gram hashes: count per key and the positions of each key in ascending
 * order (head, then next[]). */
struct htab_s {
    uint64_t *keys;
    int64_t *count, *head, *tail, *next;
    Py_ssize_t mask;
};

static void ht_free(htab_t *t) {
    free(t->keys);
    free(t->count);
    free(t->head);
    free(t->tail);
    free(t->next);
    memset(t, 0, sizeof(*t));
}

static Py_ssize_t ht_slot(const htab_t *t, uint64_t key) {
    Py_ssize_t i = (Py_ssize_t)(key & (uint64_t)t->mask);
    while (t->count[i] && t->keys[i] != key) i = (i + 1) & t->mask;
    return i;
}

static Py_ssize_t ht_find(const htab_t *t, uint64_t key) {
    Py_ssize_t i = ht_slot(t, key);
    return t->count[i] ? i : -1;
}

static int ht_build(htab_t *t, const uint64_t *keys, Py_ssize_t n) {
    const int positions = 1;
    Py_ssize_t size = 16;
    while (size < 2 * n) size *= 2;
    t->mask = size - 1;
    t->keys = malloc(size * sizeof(uint64_t));
    t->count = calloc(size, sizeof(int64_t));
    if (!t->keys || !t->count) return -1;
    if (positions) {
        t->head = malloc(size * sizeof(int64_t));
        t->tail = malloc(size * sizeof(int64_t));
        t->next = malloc((n ? n : 1) * sizeof(int64_t));
        if (!t->head || !t->tail || !t->next) return -1;
    }
    for (Py_ssize_t p = 0; p < n; p++) {
        Py_ssize_t i = ht_slot(t, keys[p]);
        if (!t->count[i]) {
            t->keys[i] = keys[p];
            if (positions) t->head[i] = p;
        } else if (positions) {
            t->next[t->tail[i]] = p;
        }
        if (positions) {
            t->tail[i] = p;
            t->next[p] = -1;
        }
        t->count[i]++;
    }
    return 0;
}

/* At least chain_min_shared of the content words of the document's tokens a..b-1 occur in the work's tokens
 * wa..wb-1, give or take extend_window tokens (edited text, not the copier's own). */
static int shared_content(int64_t a, int64_t b, int64_t wa, int64_t wb, const side_t *D, const side_t *W,
                          const align_cfg_t *st) {
    if (b - a <= 0) return 1;
    int64_t lo = wa - st->extend_window, hi = wb + st->extend_window;
    if (lo < 0) lo = 0;
    if (hi > W->n) hi = W->n;
    int64_t n = 0, shared = 0;
    for (int64_t t = a; t < b; t++) {
        if (D->stop[t]) continue;
        n++;
        for (int64_t u = lo; u < hi; u++)
            if (W->h[u] == D->h[t]) {
                shared++;
                break;
            }
    }
    if (n == 0) return 1;
    return (double)shared >= st->chain_min_shared * (double)n;
}

/* The document's tokens a..b-1, between two pieces in order (the work's between them: wa..wb-1), are text the
 * copier wrote: max_insert tokens or more, mostly in no s-gram the work holds anywhere (text the work holds
 * elsewhere, like list items without unique seeds, is copied), and either over twice as
 * long as the work's gap plus max_insert (a caption, an advertisement, a paragraph inserted) or, at three times
 * max_insert or more, sharing too few content words with the work there (a paragraph of the copier's in place
 * of the work's). */
static int64_t in_work_count(const side_t *D, const side_t *W, int64_t a, int64_t b) {
    /* document tokens a..b-1 inside an s-gram (not all stop words) the work holds anywhere; counted when
     * asked (rarely: a gap of max_insert tokens or more), not for every pair */
    int s = D->s;
    int64_t cnt = 0, done = a;
    int64_t i0 = a - s + 1 > 0 ? a - s + 1 : 0;
    for (int64_t i = i0; i < b && i < D->nk; i++) {
        if (D->stop_only[i] || !side_may_hold(W, D->kg[i]) || ht_find(W->tab, D->kg[i]) < 0) continue;
        int64_t lo = i > done ? i : done, hi = i + s < b ? i + s : b;
        if (hi > lo) {
            cnt += hi - lo;
            done = hi;
        }
    }
    return cnt;
}

static int inserted(int64_t a, int64_t b, int64_t wa, int64_t wb, const side_t *D, const side_t *W,
                    const align_cfg_t *st) {
    int64_t dgap = b - a, wgap = wb - wa;
    if (wgap < 0) wgap = 0;
    if (dgap < st->max_insert || 2 * in_work_count(D, W, a, b) >= dgap) return 0;
    if (dgap >= 2 * wgap + st->max_insert) return 1;
    return dgap >= 3 * (int64_t)st->max_insert && !shared_content(a, b, wa, wb, D, W, st);
}

typedef struct {
    int64_t i, j;
} ij_t;

static int ij_cmp(const void *a, const void *b) {
    const ij_t *x = a, *y = b;
    if (x->i != y->i) return x->i < y->i ? -1 : 1;
    return x->j < y->j ? -1 : (x->j > y->j);
}

/* Evaluate one piece (seed positions ci, cj of len seeds, ordered by i then j) and extend it exactly. */
static void eval_piece(const int64_t *ci, const int64_t *cj, Py_ssize_t len, const side_t *D, const side_t *W, int s,
                       srt_t *swork, uint8_t *mask, acand_t *out) {
    acand_t c;
    c.d0 = c.d1 = ci[0];
    c.w0 = c.w1 = cj[0];
    for (Py_ssize_t r = 1; r < len; r++) {
        if (ci[r] < c.d0) c.d0 = ci[r];
        if (ci[r] > c.d1) c.d1 = ci[r];
        if (cj[r] < c.w0) c.w0 = cj[r];
        if (cj[r] > c.w1) c.w1 = cj[r];
    }
    c.d1 += s - 1;
    c.w1 += s - 1;
    /* monotone: j non-decreasing when ordered by i (the piece comes ordered by i, then j) */
    (void)swork;
    c.monotone = 1;
    for (Py_ssize_t r = 1; r < len; r++)
        if (cj[r] < cj[r - 1]) {
            c.monotone = 0;
            break;
        }
    c.dcov = covered(ci, len, s, c.d0, c.d1, mask);
    c.wcov = covered(cj, len, s, c.w0, c.w1, mask);
    c.seeds = len;
    c.method = -1;
    /* exact extension */
    int64_t d0 = c.d0, w0 = c.w0, d1 = c.d1, w1 = c.w1;
    while (d0 > 0 && w0 > 0 && D->h[d0 - 1] == W->h[w0 - 1]) {
        d0--;
        w0--;
    }
    while (d1 + 1 < D->n && w1 + 1 < W->n && D->h[d1 + 1] == W->h[w1 + 1]) {
        d1++;
        w1++;
    }
    int64_t grown = (c.d0 - d0) + (d1 - c.d1);
    if (grown) {
        c.d0 = d0;
        c.d1 = d1;
        c.w0 = w0;
        c.w1 = w1;
        c.dcov += grown;
        c.wcov += grown;
    }
    *out = c;
}

/* An accepted piece (or chain): verbatim as it is, else extended over edited words and kept when long
 * enough and no filled-in template.  Returns -1 on memory failure. */
static int finish_piece(acand_t c, const side_t *D, const side_t *W, const align_cfg_t *st, acands_t *cands) {
    if (!accept_cand(&c, st)) return 0;
    int64_t dlen = c.d1 - c.d0 + 1, wlen = c.w1 - c.w0 + 1;
    if (c.monotone && dlen == wlen && c.dcov >= dlen && c.wcov >= wlen) return acands_push(cands, c);
    int reach = st->extend_window;
    for (int it = 0; it < 8; it++) {
        int64_t d0 = grow_edge(D->h, D->stop, c.d0, -1, W->h, c.w0 - reach, c.w0 + 4, W->n, D->n, reach);
        int64_t d1 = grow_edge(D->h, D->stop, c.d1, +1, W->h, c.w1 - 3, c.w1 + reach + 1, W->n, D->n, reach);
        int64_t w0 = grow_edge(W->h, W->stop, c.w0, -1, D->h, c.d0 - reach, c.d0 + 4, D->n, W->n, reach);
        int64_t w1 = grow_edge(W->h, W->stop, c.w1, +1, D->h, c.d1 - 3, c.d1 + reach + 1, D->n, W->n, reach);
        if (d0 == c.d0 && d1 == c.d1 && w0 == c.w0 && w1 == c.w1) break;
        c.dcov += (c.d0 - d0) + (d1 - c.d1);
        c.wcov += (c.w0 - w0) + (w1 - c.w1);
        c.d0 = d0;
        c.d1 = d1;
        c.w0 = w0;
        c.w1 = w1;
    }
    int64_t m = c.dcov < c.wcov ? c.dcov : c.wcov;
    if (m >= st->min_words_edited) {
        int tpl = is_template(&c, D, W, st);
        if (tpl < 0) return -1;
        if (!tpl) return acands_push(cands, c);
    }
    return 0;
}

typedef struct {
    acand_t c;
    Py_ssize_t idx;
} seg_t;

static int seg_cmp(const void *a, const void *b) {
    const seg_t *x = a, *y = b;
    if (x->c.d0 != y->c.d0) return x->c.d0 < y->c.d0 ? -1 : 1;
    if (x->c.w0 != y->c.w0) return x->c.w0 < y->c.w0 ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

static int align_pair(const side_t *D, const side_t *W, const align_cfg_t *st, acands_t *out) {
    int s = st->s;
    int rc = -1;
    int64_t *si = NULL, *sj = NULL;
    Py_ssize_t nseeds = 0, capi = 0, capj = 0;
    segs_t cur = {0}, nxt = {0};
    srt_t *swork = NULL;
    int64_t *sorted = NULL, *sorted2 = NULL;
    Py_ssize_t *cuts = NULL, *cuts2 = NULL;
    uint8_t *mask = NULL, *covd = NULL, *covw = NULL, *wdone = NULL;
    acands_t cands = {0};
    acand_idx_t *ms = NULL;
    ij_t *ij = NULL;
    seg_t *segs = NULL;
    Py_ssize_t nsegs = 0, capsegs = 0;
    out->n = 0;

    /* 1. seeds: s-grams unique enough in both texts (each side's table: counts, positions in order) */
    if (D->nk > 0 && W->nk > 0) {
        const htab_t *wtab = W->tab;
        for (Py_ssize_t i = 0; i < D->nk; i++) {
            if (D->stop_only[i] || D->kcount[i] > st->max_repeat || !side_may_hold(W, D->kg[i])) continue;
            Py_ssize_t we = ht_find(wtab, D->kg[i]);
            if (we < 0) continue;
            if (wtab->count[we] > st->max_repeat) continue;
            for (int64_t pos = wtab->head[we]; pos >= 0; pos = wtab->next[pos]) {
                if (grow((void **)&si, &capi, nseeds + 1, sizeof(int64_t)) < 0) goto nomem;
                if (grow((void **)&sj, &capj, nseeds + 1, sizeof(int64_t)) < 0) goto nomem;
                si[nseeds] = i;
                sj[nseeds] = pos;
                nseeds++;
            }
        }
    }
    /* 2. clusters: split on document gaps, then work gaps, until stable */
    if (nseeds) {
        swork = malloc(nseeds * sizeof(srt_t));
        sorted = malloc(nseeds * sizeof(int64_t));
        sorted2 = malloc(nseeds * sizeof(int64_t));
        cuts = malloc((nseeds + 1) * sizeof(Py_ssize_t));
        cuts2 = malloc((nseeds + 1) * sizeof(Py_ssize_t));
        if (!swork || !sorted || !sorted2 || !cuts || !cuts2) goto nomem;
        for (Py_ssize_t k = 0; k < nseeds; k++) sorted[k] = k;
        if (segs_add(&cur, sorted, nseeds) < 0) goto nomem;
        for (;;) {
            int changed = 0;
            segs_clear(&nxt);
            for (Py_ssize_t g = 0; g < cur.nseg; g++) {
                const int64_t *mem = cur.buf + cur.seg[g];
                Py_ssize_t len = cur.seg[g + 1] - cur.seg[g], nc;
                split_by(mem, len, si, st->gap, swork, sorted, cuts, &nc);
                if (nc) changed = 1;
                for (Py_ssize_t pi = 0; pi <= nc; pi++) {
                    Py_ssize_t a = pi ? cuts[pi - 1] : 0, b = pi < nc ? cuts[pi] : len;
                    if (b - a < st->min_seeds) continue;
                    Py_ssize_t nc2;
                    split_by(sorted + a, b - a, sj, st->gap, swork, sorted2, cuts2, &nc2);
                    if (nc2) changed = 1;
                    for (Py_ssize_t qi = 0; qi <= nc2; qi++) {
                        Py_ssize_t a2 = qi ? cuts2[qi - 1] : 0, b2 = qi < nc2 ? cuts2[qi] : b - a;
                        if (b2 - a2 >= st->min_seeds && segs_add(&nxt, sorted2 + a2, b2 - a2) < 0) goto nomem;
                    }
                }
            }
            segs_t tmp = cur;
            cur = nxt;
            nxt = tmp;
            if (!changed) break;
        }
        /* 3. each cluster cut where the document has inserted text between two seeds (a cluster in order
         * only), each piece evaluated and extended exactly; pieces of one edited copy chained; each chain
         * (or, when the chain as a whole fails, each of its pieces) accepted, extended, kept */
        Py_ssize_t maxspan = (D->n > W->n ? D->n : W->n) + 1;
        mask = malloc(maxspan);
        ij = malloc(nseeds * sizeof(ij_t));
        if (!mask || !ij) goto nomem;
        for (Py_ssize_t g = 0; g < cur.nseg; g++) {
            const int64_t *mem = cur.buf + cur.seg[g];
            Py_ssize_t len = cur.seg[g + 1] - cur.seg[g];
            if (len < st->min_seeds) continue;
            for (Py_ssize_t r = 0; r < len; r++) {
                ij[r].i = si[mem[r]];
                ij[r].j = sj[mem[r]];
            }
            int ordered = 1; /* members come ordered by j; a copy in order is then ordered by (i, j) too */
            for (Py_ssize_t r = 1; r < len && ordered; r++) ordered = ij_cmp(&ij[r - 1], &ij[r]) <= 0;
            if (!ordered) qsort(ij, len, sizeof(ij_t), ij_cmp);
            int mono = 1;
            for (Py_ssize_t r = 1; r < len && mono; r++) mono = ij[r].j >= ij[r - 1].j;
            int64_t *ci = sorted, *cj = sorted2;
            for (Py_ssize_t r = 0; r < len; r++) {
                ci[r] = ij[r].i;
                cj[r] = ij[r].j;
            }
            Py_ssize_t start = 0;
            for (Py_ssize_t r = 1; r <= len; r++) {
                int cut = r == len;
                if (!cut && mono && ci[r] - ci[r - 1] > s)
                    cut = inserted(ci[r - 1] + s, ci[r], cj[r - 1] + s, cj[r], D, W, st);
                if (!cut) continue;
                if (grow((void **)&segs, &capsegs, nsegs + 1, sizeof(seg_t)) < 0) goto nomem;
                eval_piece(ci + start, cj + start, r - start, D, W, s, swork, mask, &segs[nsegs].c);
                segs[nsegs].idx = nsegs;
                nsegs++;
                start = r;
            }
        }
        qsort(segs, nsegs, sizeof(seg_t), seg_cmp);
        for (Py_ssize_t k = 0; k < nsegs;) {
            Py_ssize_t e = k + 1;
            while (e < nsegs) {
                const acand_t *p = &segs[e - 1].c, *c = &segs[e].c;
                int64_t dgap = c->d0 - p->d1 - 1, wgap = c->w0 - p->w1 - 1;
                if (!(p->monotone && c->monotone && dgap >= 0 && dgap <= st->chain_gap && wgap >= 0 &&
                      wgap <= st->chain_gap && shared_content(p->d1 + 1, c->d0, p->w1 + 1, c->w0, D, W, st) &&
                      !inserted(p->d1 + 1, c->d0, p->w1 + 1, c->w0, D, W, st)))
                    break;
                e++;
            }
            int whole_ok = 0;
            if (e - k > 1) {
                acand_t wh = segs[k].c;
                for (Py_ssize_t x = k + 1; x < e; x++) {
                    const acand_t *c = &segs[x].c;
                    if (c->d0 < wh.d0) wh.d0 = c->d0;
                    if (c->d1 > wh.d1) wh.d1 = c->d1;
                    if (c->w0 < wh.w0) wh.w0 = c->w0;
                    if (c->w1 > wh.w1) wh.w1 = c->w1;
                    wh.dcov += c->dcov;
                    wh.wcov += c->wcov;
                    wh.seeds += c->seeds;
                    wh.monotone = wh.monotone && c->monotone;
                }
                if (accept_cand(&wh, st)) {
                    whole_ok = 1;
                    if (finish_piece(wh, D, W, st, &cands) < 0) goto nomem;
                }
            }
            if (!whole_ok)
                for (Py_ssize_t x = k; x < e; x++)
                    if (finish_piece(segs[x].c, D, W, st, &cands) < 0) goto nomem;
            k = e;
        }
    }
    /* 4. near-duplicate windows not covered by seeds */
    if (st->near_hamming >= 0 && D->nw > 0 && W->nw > 0) {
        covd = calloc(D->n + 1, 1);
        covw = calloc(W->n + 1, 1);
        if (!covd || !covw) goto nomem;
        for (Py_ssize_t k = 0; k < cands.n; k++) {
            for (int64_t t = cands.v[k].d0; t <= cands.v[k].d1; t++) covd[t] = 1;
            for (int64_t t = cands.v[k].w0; t <= cands.v[k].w1; t++) covw[t] = 1;
        }
        /* Coverage only grows: a window covered on either side stays out of every pair, so a covered document
         * window is skipped whole, a covered work window is marked and skipped, and a document window ends its
         * row once a pair covers it (the same pairs as trying every pair of windows). */
        wdone = calloc(W->nw, 1);
        if (!wdone) goto nomem;
        for (Py_ssize_t b = 0; b < W->nw; b++) {
            int64_t w0 = W->wf[b], w1 = W->wl[b];
            int cov = w0 < 0 || w1 >= W->n;
            for (int64_t t = w0; t <= w1 && !cov; t++) cov = covw[t];
            wdone[b] = (uint8_t)cov;
        }
        for (Py_ssize_t a = 0; a < D->nw; a++) {
            int64_t d0 = D->wf[a], d1 = D->wl[a];
            int cov = d0 < 0 || d1 >= D->n;
            for (int64_t t = d0; t <= d1 && !cov; t++) cov = covd[t];
            if (cov) continue;
            for (Py_ssize_t b = 0; b < W->nw; b++) {
                if (wdone[b]) continue;
                int dist = popcount64(D->wv[a] ^ W->wv[b]);
                if (dist > st->near_hamming) continue;
                int64_t w0 = W->wf[b], w1 = W->wl[b];
                int64_t n = (d1 - d0 < w1 - w0 ? d1 - d0 : w1 - w0) + 1;
                if (n < st->near_min_words) continue;
                for (int64_t t = w0; t <= w1 && !cov; t++) cov = covw[t];
                if (cov) {
                    wdone[b] = 1;
                    cov = 0;
                    continue;
                }
                int64_t shared = 0;
                for (int64_t t = d0; t <= d1; t++)
                    for (int64_t u = w0; u <= w1; u++)
                        if (D->h[t] == W->h[u]) {
                            shared++;
                            break;
                        }
                if (shared * 2 < d1 - d0 + 1) continue;
                for (int64_t t = d0; t <= d1; t++) covd[t] = 1;
                for (int64_t t = w0; t <= w1; t++) covw[t] = 1;
                acand_t c = {d0, d1, w0, w1, shared, shared, 0, 1, dist};
                if (acands_push(&cands, c) < 0) goto nomem;
                wdone[b] = 1;
                break;
            }
        }
    }
    /* 5. merge close passages (sorted by (d0, w0), stable) */
    if (cands.n) {
        ms = malloc(cands.n * sizeof(acand_idx_t));
        if (!ms) goto nomem;
        for (Py_ssize_t k = 0; k < cands.n; k++) {
            ms[k].c = cands.v[k];
            ms[k].idx = k;
        }
        qsort(ms, cands.n, sizeof(acand_idx_t), acand_idx_cmp);
        for (Py_ssize_t k = 0; k < cands.n; k++) {
            acand_t c = ms[k].c;
            if (out->n) {
                acand_t *p = &out->v[out->n - 1];
                int64_t dgap = c.d0 - p->d1;
                int64_t g1 = c.w0 - p->w1, g2 = p->w0 - c.w1;
                int64_t wgap = g1 > g2 ? g1 : g2;
                int64_t span = (p->w1 - p->w0) + (c.w1 - c.w0);
                int64_t reach = st->merge_gap > span ? st->merge_gap : span;
                int ins = dgap > 0 && c.w0 > p->w1 && inserted(p->d1 + 1, c.d0, p->w1 + 1, c.w0, D, W, st);
                if (dgap <= st->merge_gap && (wgap <= reach || dgap <= 0) && !ins) {
                    acand_t m;
                    m.d0 = p->d0 < c.d0 ? p->d0 : c.d0;
                    m.d1 = p->d1 > c.d1 ? p->d1 : c.d1;
                    m.w0 = p->w0 < c.w0 ? p->w0 : c.w0;
                    m.w1 = p->w1 > c.w1 ? p->w1 : c.w1;
                    m.dcov = p->dcov + c.dcov;
                    m.wcov = p->wcov + c.wcov;
                    m.seeds = p->seeds + c.seeds;
                    m.monotone = p->monotone && c.monotone && c.w0 >= p->w1;
                    m.method = p->method == c.method ? p->method : -2;
                    *p = m;
                    continue;
                }
            }
            if (acands_push(out, c) < 0) goto nomem;
        }
    }
    rc = 0;
    goto done;
nomem:
    PyErr_NoMemory();
done:
    free(si);
    free(sj);
    segs_free(&cur);
    segs_free(&nxt);
    free(swork);
    free(sorted);
    free(sorted2);
    free(cuts);
    free(cuts2);
    free(mask);
    free(covd);
    free(covw);
    free(wdone);
    free(cands.v);
    free(ms);
    free(ij);
    free(segs);
    return rc;
}

/* ------------------------------------------------------------------ the Side type */

typedef struct {
    PyObject_HEAD
    side_t side;
} SideObject;

static void side_free(side_t *S) {
    free(S->h);
    free(S->stop);
    free(S->numeric);
    free(S->wf);
    free(S->wl);
    free(S->wv);
    free(S->kg);
    free(S->stop_only);
    free(S->kcount);
    free(S->filter);
    if (S->tab) {
        ht_free(S->tab);
        free(S->tab);
    }
    memset(S, 0, sizeof(*S));
}

static void Side_dealloc(SideObject *self) {
    side_free(&self->side);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static void *copy_buf(bufs_t *b, PyObject *o, Py_ssize_t itemsize, Py_ssize_t *n, const char *what) {
    const void *src = get_buf(b, o, itemsize, n, what);
    if (!src) return NULL;
    void *dst = malloc((*n ? *n : 1) * itemsize);
    if (!dst) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(dst, src, *n * itemsize);
    return dst;
}

/* Side(hashes, stop, numeric, win_first, win_last, win_value, s, kmult) */
static int Side_init(SideObject *self, PyObject *args, PyObject *kw) {
    PyObject *h, *stop, *num, *wf, *wl, *wv, *ko;
    int s;
    if (!PyArg_ParseTuple(args, "OOOOOOiO", &h, &stop, &num, &wf, &wl, &wv, &s, &ko)) return -1;
    side_free(&self->side);
    side_t *S = &self->side;
    bufs_t b = {0};
    Py_ssize_t n, nk;
    int rc = -1;
    const uint64_t *kmult = get_buf(&b, ko, 8, &nk, "kmult");
    if (!kmult) goto done;
    if (s < 1 || nk < s) {
        PyErr_SetString(PyExc_ValueError, "Side: s out of range");
        goto done;
    }
    if (!(S->h = copy_buf(&b, h, 8, &S->n, "hashes"))) goto done;
    if (!(S->stop = copy_buf(&b, stop, 1, &n, "stop"))) goto done;
    if (n != S->n) { PyErr_SetString(PyExc_ValueError, "stop length"); goto done; }
    if (!(S->numeric = copy_buf(&b, num, 1, &n, "numeric"))) goto done;
    if (n != S->n) { PyErr_SetString(PyExc_ValueError, "numeric length"); goto done; }
    if (!(S->wf = copy_buf(&b, wf, 4, &S->nw, "window first"))) goto done;
    if (!(S->wl = copy_buf(&b, wl, 4, &n, "window last"))) goto done;
    if (n != S->nw) { PyErr_SetString(PyExc_ValueError, "window last length"); goto done; }
    if (!(S->wv = copy_buf(&b, wv, 8, &n, "window values"))) goto done;
    if (n != S->nw) { PyErr_SetString(PyExc_ValueError, "window values length"); goto done; }
    S->s = s;
    S->nk = S->n - s + 1 > 0 ? S->n - s + 1 : 0;
    S->kg = malloc((S->nk ? S->nk : 1) * sizeof(uint64_t));
    S->stop_only = malloc(S->nk ? S->nk : 1);
    S->tab = calloc(1, sizeof(htab_t));
    if (!S->kg || !S->stop_only || !S->tab) {
        PyErr_NoMemory();
        goto done;
    }
    kgrams(S->h, S->n, s, kmult, S->kg);
    for (Py_ssize_t i = 0; i < S->nk; i++) {
        uint8_t all = 1;
        for (int j = 0; j < s; j++) all &= S->stop[i + j] != 0;
        S->stop_only[i] = all;
    }
    if (ht_build(S->tab, S->kg, S->nk) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    /* the filter: 16 bits per s-gram (a power of two, at least 64), so about one key in 16 not held passes */
    Py_ssize_t fbits = 64;
    while (fbits < 16 * S->nk) fbits *= 2;
    S->fmask = (uint64_t)fbits - 1;
    S->filter = calloc(fbits / 64, sizeof(uint64_t));
    S->kcount = malloc((S->nk ? S->nk : 1) * sizeof(int64_t));
    if (!S->filter || !S->kcount) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < S->nk; i++) {
        uint64_t bit = (S->kg[i] >> 32) & S->fmask;
        S->filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
        S->kcount[i] = S->tab->count[ht_find(S->tab, S->kg[i])];
    }
    rc = 0;
done:
    bufs_release(&b);
    if (rc < 0) side_free(S);
    return rc;
}

static PyObject *Side_len(SideObject *self, void *closure) { return PyLong_FromSsize_t(self->side.n); }

static PyGetSetDef Side_getset[] = {{"tokens", (getter)Side_len, NULL, "number of tokens", NULL}, {NULL}};

static PyTypeObject SideType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "compliance._kernel.Side",
    .tp_basicsize = sizeof(SideObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One side of an alignment, prepared once: tokens, windows, s-gram table.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Side_init,
    .tp_dealloc = (destructor)Side_dealloc,
    .tp_getset = Side_getset,
};

/* align(doc: Side, work: Side, settings tuple) -> list of merged candidate tuples */
static PyObject *k_align(PyObject *self, PyObject *args) {
    SideObject *d, *w;
    align_cfg_t st;
    if (!PyArg_ParseTuple(args, "O!O!(iiiiiiiiiiiidddiid)", &SideType, &d, &SideType, &w, &st.s, &st.max_repeat,
                          &st.gap, &st.min_seeds, &st.min_words, &st.min_words_edited, &st.density_long_words,
                          &st.extend_window, &st.template_min_numbers, &st.near_hamming, &st.near_min_words,
                          &st.merge_gap, &st.density_short, &st.density_long, &st.template_min_kept, &st.chain_gap,
                          &st.max_insert, &st.chain_min_shared))
        return NULL;
    if (st.s != d->side.s || st.s != w->side.s || st.gap < 0 || st.min_seeds < 1) {
        PyErr_SetString(PyExc_ValueError, "align settings out of range (or sides prepared for another seed length)");
        return NULL;
    }
    acands_t out = {0};
    if (align_pair(&d->side, &w->side, &st, &out) < 0) {
        free(out.v);
        return NULL;
    }
    PyObject *res = PyList_New(out.n);
    if (!res) {
        free(out.v);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < out.n; k++) {
        acand_t *c = &out.v[k];
        PyObject *t = Py_BuildValue("(LLLLLLLOL)", (long long)c->d0, (long long)c->d1, (long long)c->w0,
                                    (long long)c->w1, (long long)c->dcov, (long long)c->wcov, (long long)c->seeds,
                                    c->monotone ? Py_True : Py_False, (long long)c->method);
        if (!t) {
            Py_DECREF(res);
            free(out.v);
            return NULL;
        }
        PyList_SET_ITEM(res, k, t);
    }
    free(out.v);
    return res;
}

/* windows(hashes, sentence, window_words, kmult, hard) -> (first int32, last int32, value uint64) bytearrays */
static PyObject *k_windows(PyObject *self, PyObject *args) {
    PyObject *ho, *so, *ko, *hardo;
    int ww;
    if (!PyArg_ParseTuple(args, "OOiOO", &ho, &so, &ww, &ko, &hardo)) return NULL;
    bufs_t b = {0};
    wins_t w = {0};
    PyObject *res = NULL;
    Py_ssize_t n, ns, nk, nhard = 0;
    const uint64_t *h, *kmult;
    const int32_t *sent;
    const int64_t *hard = NULL;
    if (!(h = get_buf(&b, ho, 8, &n, "hashes")) || !(sent = get_buf(&b, so, 4, &ns, "sentence")) ||
        !(kmult = get_buf(&b, ko, 8, &nk, "kmult")))
        goto done;
    if (ns != n || nk < 2 || ww < 1) {
        PyErr_SetString(PyExc_ValueError, "windows: bad arguments");
        goto done;
    }
    if (hardo != Py_None && !(hard = get_buf(&b, hardo, 8, &nhard, "hard"))) goto done;
    if (compute_windows(h, sent, n, ww, hard, nhard, kmult, &w) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    res = Py_BuildValue("(NNN)", bytes_of(w.first, w.n * 4), bytes_of(w.last, w.n * 4), bytes_of(w.value, w.n * 8));
done:
    wins_free(&w);
    bufs_release(&b);
    return res;
}

/* ------------------------------------------------------------------ registration: a batch's fingerprints
 *
 * fingerprints(hashes, bounds, k, w, kmult): for each record i, whose tokens are
 * hashes[bounds[i]:bounds[i+1]], its winnowed k-grams as compliance.registry.prepare_records
 * selects them (the rightmost minimum of every window of w k-grams inside the record; a record
 * with at most w k-grams keeps its rightmost minimum), as (k-gram hashes <u8 bytes, positions
 * relative to the record <i4 bytes, body simhash of its word bigrams); None for a record of
 * fewer than two tokens.  The bytes are the stored blobs (little-endian machines only, like
 * the numpy code it replaces).
 */
static PyObject *k_fingerprints(PyObject *self, PyObject *args) {
    PyObject *ho, *bo, *ko;
    int k, w;
    if (!PyArg_ParseTuple(args, "OOiiO", &ho, &bo, &k, &w, &ko)) return NULL;
    bufs_t b = {0};
    PyObject *res = NULL;
    uint64_t *kg = NULL;
    int32_t *pos = NULL;
    uint64_t *sel = NULL;
    Py_ssize_t n, nb, nk;
    const uint64_t *h, *kmult;
    const int64_t *bounds;
    if (!(h = get_buf(&b, ho, 8, &n, "hashes")) || !(bounds = get_buf(&b, bo, 8, &nb, "bounds")) ||
        !(kmult = get_buf(&b, ko, 8, &nk, "kmult")))
        goto done;
    if (nb < 1 || k < 1 || w < 1 || nk < k || nk < 2) {
        PyErr_SetString(PyExc_ValueError, "fingerprints: bad arguments");
        goto done;
    }
    for (Py_ssize_t i = 0; i + 1 < nb; i++)
        if (bounds[i] < 0 || bounds[i] > bounds[i + 1] || bounds[i + 1] > n) {
            PyErr_SetString(PyExc_ValueError, "fingerprints: bounds out of order");
            goto done;
        }
    kg = malloc(sizeof(uint64_t) * (size_t)(n + 1));
    pos = malloc(sizeof(int32_t) * (size_t)(n + 1));
    sel = malloc(sizeof(uint64_t) * (size_t)(n + 1));
    if (!kg || !pos || !sel) {
        PyErr_NoMemory();
        goto done;
    }
    if (!(res = PyList_New(nb - 1))) goto done;
    for (Py_ssize_t i = 0; i + 1 < nb; i++) {
        Py_ssize_t a = bounds[i], m = bounds[i + 1] - a, kn = m - k + 1, np_ = 0;
        if (m < 2) {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(res, i, Py_None);
            continue;
        }
        if (kn > 0) {
            kgrams(h + a, m, k, kmult, kg);
            if (kn <= w) {
                Py_ssize_t best = 0;
                for (Py_ssize_t j = 1; j < kn; j++)
                    if (kg[j] <= kg[best]) best = j;
                pos[np_++] = (int32_t)best;
            } else {
                Py_ssize_t last = -1;
                for (Py_ssize_t s0 = 0; s0 + w <= kn; s0++) {
                    Py_ssize_t best = s0;
                    for (Py_ssize_t j = s0 + 1; j < s0 + w; j++)
                        if (kg[j] <= kg[best]) best = j;
                    if (best != last) { /* windows move right: a new pick is never left of the last one */
                        pos[np_++] = (int32_t)best;
                        last = best;
                    }
                }
            }
        }
        for (Py_ssize_t j = 0; j < np_; j++) sel[j] = kg[pos[j]];
        PyObject *t = Py_BuildValue("(NNK)", PyBytes_FromStringAndSize((const char *)sel, np_ * 8),
                                    PyBytes_FromStringAndSize((const char *)pos, np_ * 4),
                                    (unsigned long long)window_simhash(h, a, a + m - 1, kmult));
        if (!t) {
            Py_CLEAR(res);
            goto done;
        }
        PyList_SET_ITEM(res, i, t);
    }
done:
    free(kg);
    free(pos);
    free(sel);
    bufs_release(&b);
    return res;
}

/* ------------------------------------------------------------------ notices: anchor literals
 *
 * Anchors(words): the notice finder's literals ("©", "copyright", "reserved", 版权所有, ...).
 * Anchors.find(text) -> [(k, start)] of every occurrence of every anchor k in text (overlapping
 * ones too), in order of start, then of k: what an Aho-Corasick pass gives, at a few nanoseconds a
 * character (a 256-entry table rejects most characters of a Latin text at once).
 */
typedef struct {
    PyObject_HEAD
    Py_ssize_t n;
    Py_UCS4 **word;
    Py_ssize_t *len;
    Py_ssize_t *order;    /* anchor indices sorted by (first character, index) */
    Py_UCS4 *first;       /* first[i]: the first character of anchor order[i] */
    int32_t lat_lo[256], lat_hi[256]; /* the anchors starting with a Latin-1 character: order[lo:hi] */
} AnchorsObject;

static void Anchors_clear(AnchorsObject *self) {
    if (self->word)
        for (Py_ssize_t i = 0; i < self->n; i++) PyMem_Free(self->word[i]);
    PyMem_Free(self->word);
    PyMem_Free(self->len);
    PyMem_Free(self->order);
    PyMem_Free(self->first);
    self->word = NULL;
    self->len = NULL;
    self->order = NULL;
    self->first = NULL;
    self->n = 0;
}

static void Anchors_dealloc(AnchorsObject *self) {
    Anchors_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static AnchorsObject *sorting_anchors; /* qsort has no context argument; the GIL serialises Anchors_init */

static int cmp_anchor(const void *a, const void *b) {
    Py_ssize_t i = *(const Py_ssize_t *)a, j = *(const Py_ssize_t *)b;
    Py_UCS4 x = sorting_anchors->word[i][0], y = sorting_anchors->word[j][0];
    return x != y ? (x < y ? -1 : 1) : (i < j ? -1 : i > j);
}

static int Anchors_init(AnchorsObject *self, PyObject *args, PyObject *kw) {
    PyObject *seq;
    if (!PyArg_ParseTuple(args, "O", &seq)) return -1;
    PyObject *fast = PySequence_Fast(seq, "Anchors: a sequence of str");
    if (!fast) return -1;
    Anchors_clear(self);
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    self->word = PyMem_Calloc(n ? n : 1, sizeof(Py_UCS4 *));
    self->len = PyMem_Calloc(n ? n : 1, sizeof(Py_ssize_t));
    self->order = PyMem_Calloc(n ? n : 1, sizeof(Py_ssize_t));
    self->first = PyMem_Calloc(n ? n : 1, sizeof(Py_UCS4));
    if (!self->word || !self->len || !self->order || !self->first) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    self->n = n;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyUnicode_Check(o) || PyUnicode_GET_LENGTH(o) == 0) {
            Py_DECREF(fast);
            PyErr_SetString(PyExc_TypeError, "Anchors: every anchor is a non-empty str");
            return -1;
        }
        if (!(self->word[i] = PyUnicode_AsUCS4Copy(o))) {
            Py_DECREF(fast);
            return -1;
        }
        self->len[i] = PyUnicode_GET_LENGTH(o);
        self->order[i] = i;
    }
    Py_DECREF(fast);
    sorting_anchors = self;
    qsort(self->order, (size_t)n, sizeof(Py_ssize_t), cmp_anchor);
    sorting_anchors = NULL;
    for (int c = 0; c < 256; c++) self->lat_lo[c] = self->lat_hi[c] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = self->first[i] = self->word[self->order[i]][0];
        if (c < 256) {
            if (self->lat_hi[c] == 0) self->lat_lo[c] = (int32_t)i;
            self->lat_hi[c] = (int32_t)i + 1;
        }
    }
    return 0;
}

/* order[*lo:*hi]: the anchors that start with c (binary search above U+00FF) */
static void anchors_starting(const AnchorsObject *a, Py_UCS4 c, Py_ssize_t *lo, Py_ssize_t *hi) {
    if (c < 256) {
        *lo = a->lat_lo[c];
        *hi = a->lat_hi[c];
        return;
    }
    Py_ssize_t l = 0, h = a->n;
    while (l < h) {
        Py_ssize_t mid = (l + h) / 2;
        if (a->first[mid] < c) l = mid + 1;
        else h = mid;
    }
    Py_ssize_t e = l;
    while (e < a->n && a->first[e] == c) e++;
    *lo = l;
    *hi = e;
}

/* one loop per storage width, so that reading a character is one load */
#define ANCHORS_SCAN(T)                                                                    \
    do {                                                                                   \
        const T *d = (const T *)data;                                                      \
        for (Py_ssize_t i = 0; i < n; i++) {                                               \
            Py_UCS4 c = d[i];                                                              \
            if (c < 256 && self->lat_hi[c] == 0) continue;                                 \
            Py_ssize_t lo, hi;                                                             \
            anchors_starting(self, c, &lo, &hi);                                           \
            for (Py_ssize_t r = lo; r < hi; r++) {                                         \
                Py_ssize_t k = self->order[r], m = self->len[k], j = 1;                    \
                const Py_UCS4 *w = self->word[k];                                          \
                if (i + m > n) continue;                                                   \
                while (j < m && (Py_UCS4)d[i + j] == w[j]) j++;                            \
                if (j < m) continue;                                                       \
                PyObject *t = Py_BuildValue("(nn)", k, i);                                 \
                if (!t || PyList_Append(out, t) < 0) {                                     \
                    Py_XDECREF(t);                                                         \
                    Py_DECREF(out);                                                        \
                    return NULL;                                                           \
                }                                                                          \
                Py_DECREF(t);                                                              \
            }                                                                              \
        }                                                                                  \
    } while (0)

static PyObject *Anchors_find(AnchorsObject *self, PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    if (kind == PyUnicode_1BYTE_KIND)
        ANCHORS_SCAN(Py_UCS1);
    else if (kind == PyUnicode_2BYTE_KIND)
        ANCHORS_SCAN(Py_UCS2);
    else
        ANCHORS_SCAN(Py_UCS4);
    return out;
}

static PyMethodDef Anchors_methods[] = {
    {"find", (PyCFunction)Anchors_find, METH_VARARGS, "find(text) -> [(anchor index, start)] of every occurrence"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject AnchorsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "compliance._kernel.Anchors",
    .tp_basicsize = sizeof(AnchorsObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Literal anchors found in a text in one pass (the notice finder's screen).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Anchors_init,
    .tp_dealloc = (destructor)Anchors_dealloc,
    .tp_methods = Anchors_methods,
};

/* ------------------------------------------------------------------ evidence: what other works hold
 *
 * WorkHits(kgrams, work, config) looks every k-gram of one registered work up
 * in the seed index once (cached per work by the matcher: a wire story is
 * copied by many pages) and keeps, per k-gram position, how many index rows
 * hold it (df) and which other works hold it where.  The false-positive rules
 * ask of a passage: the median df of its k-grams, and which of its words the
 * works that share it most put in quotation marks.
 */

typedef struct {
    int32_t pos, work, wpos;
} ohit_t;

typedef struct {
    PyObject_HEAD
    int32_t *df;
    Py_ssize_t nk;
    ohit_t *other; /* hits of other works, by position */
    Py_ssize_t nother;
    int64_t work;
} WorkHitsObject;

static void WorkHits_dealloc(WorkHitsObject *self) {
    free(self->df);
    free(self->other);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int load_index(bufs_t *b, PyObject *cfg, screen_t *s);

static int WorkHits_init(WorkHitsObject *self, PyObject *args, PyObject *kw) {
    PyObject *kgo, *cfg;
    long long work;
    if (!PyArg_ParseTuple(args, "OLO!", &kgo, &work, &PyDict_Type, &cfg)) return -1;
    free(self->df);
    free(self->other);
    self->df = NULL;
    self->other = NULL;
    self->nk = self->nother = 0;
    self->work = work;
    bufs_t b = {0};
    screen_t s;
    memset(&s, 0, sizeof(s));
    int rc = -1;
    Py_ssize_t nk, cap = 0;
    const uint64_t *kg = get_buf(&b, kgo, 8, &nk, "kgrams");
    if (!kg || load_index(&b, cfg, &s) < 0) goto done;
    self->df = calloc(nk ? nk : 1, sizeof(int32_t));
    if (!self->df) {
        PyErr_NoMemory();
        goto done;
    }
    self->nk = nk;
    Py_ssize_t max_top = s.table_len * 8;
    for (Py_ssize_t i = 0; i < nk && s.n > 0; i++) {
        uint64_t q = kg[i], top = q >> s.shift;
        if ((Py_ssize_t)top >= max_top || !((s.table[top >> 3] >> (top & 7)) & 1)) continue;
        Py_ssize_t bkt = (Py_ssize_t)(q >> (64 - s.bucket_bits));
        Py_ssize_t lo = offset_at(&s, bkt), end = offset_at(&s, bkt + 1);
        while (lo < end && s.hashes[lo] < q) lo++;
        for (; lo < s.n && s.hashes[lo] == q; lo++) {
            self->df[i]++;
            if (s.works[lo] == work) continue;
            if (grow((void **)&self->other, &cap, self->nother + 1, sizeof(ohit_t)) < 0) {
                PyErr_NoMemory();
                goto done;
            }
            self->other[self->nother++] = (ohit_t){(int32_t)i, s.works[lo], s.positions[lo]};
        }
    }
    rc = 0;
done:
    bufs_release(&b);
    return rc;
}

static void seg_bounds(WorkHitsObject *h, Py_ssize_t a, Py_ssize_t e, Py_ssize_t *lo, Py_ssize_t *hi) {
    Py_ssize_t l = 0, r = h->nother;
    while (l < r) {
        Py_ssize_t m = (l + r) / 2;
        if (h->other[m].pos < a) l = m + 1; else r = m;
    }
    *lo = l;
    r = h->nother;
    while (l < r) {
        Py_ssize_t m = (l + r) / 2;
        if (h->other[m].pos < e) l = m + 1; else r = m;
    }
    *hi = l;
}

static int i32_cmp(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : (x > y);
}

/* stats(a, e) -> (another work holds one of the k-grams a..e-1, median df of those held at all) */
static PyObject *WorkHits_stats(WorkHitsObject *self, PyObject *args) {
    Py_ssize_t a, e;
    if (!PyArg_ParseTuple(args, "nn", &a, &e)) return NULL;
    if (a < 0) a = 0;
    if (e > self->nk) e = self->nk;
    Py_ssize_t lo, hi;
    seg_bounds(self, a, e, &lo, &hi);
    if (hi <= lo || e <= a) return Py_BuildValue("(Od)", Py_False, 0.0);
    int32_t *v = malloc((e - a) * sizeof(int32_t));
    if (!v) return PyErr_NoMemory();
    Py_ssize_t m = 0;
    for (Py_ssize_t i = a; i < e; i++)
        if (self->df[i] > 0) v[m++] = self->df[i];
    qsort(v, m, sizeof(int32_t), i32_cmp);
    double med = m == 0 ? 0.0 : (m % 2 ? (double)v[m / 2] : ((double)v[m / 2 - 1] + (double)v[m / 2]) / 2.0);
    free(v);
    return Py_BuildValue("(Od)", Py_True, med);
}

typedef struct {
    int64_t work, count;
} wc_t;

static int wc_cmp(const void *a, const void *b) { /* count descending, then work ascending */
    const wc_t *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->work < y->work ? -1 : (x->work > y->work);
}

/* quoted_elsewhere(a, e, n, k, sample, cache, mask_of) -> bytearray of n flags: the passage's words that
 * most of the `sample` works sharing most of its k-grams put in quotation marks (a work's quote mask comes
 * from the dict cache, else from mask_of(work), which is then cached).  A tweet pasted without quotation marks is still the speaker's words; the registry knows
 * it from the works that quote it. */
static PyObject *WorkHits_quoted_elsewhere(WorkHitsObject *self, PyObject *args) {
    Py_ssize_t a, e, n;
    int k, sample;
    PyObject *mask_of, *cache;
    if (!PyArg_ParseTuple(args, "nnniiO!O", &a, &e, &n, &k, &sample, &PyDict_Type, &cache, &mask_of)) return NULL;
    if (n < 0 || k < 1 || sample < 0 || sample > 64) {
        PyErr_SetString(PyExc_ValueError, "quoted_elsewhere: bad arguments");
        return NULL;
    }
    if (a < 0) a = 0;
    if (e > self->nk) e = self->nk;
    PyObject *res = PyByteArray_FromStringAndSize(NULL, n);
    if (!res) return NULL;
    uint8_t *out = (uint8_t *)PyByteArray_AS_STRING(res);
    memset(out, 0, n);
    Py_ssize_t lo, hi;
    seg_bounds(self, a, e, &lo, &hi);
    if (hi <= lo || e <= a) return res;
    /* works by hit count */
    Py_ssize_t nh = hi - lo;
    int64_t *ws = malloc(256 * sizeof(int64_t)); /* the count table's first slots (it grows apart if needed) */
    wc_t *wc = malloc(nh * sizeof(wc_t));
    int64_t *seen = calloc(n ? n : 1, sizeof(int64_t)), *votes = calloc(n ? n : 1, sizeof(int64_t));
    bufs_t b = {0};
    const uint8_t *masks[64];
    Py_ssize_t lens[64];
    PyObject *keep[64];
    int ntop = 0;
    if (!ws || !wc || !seen || !votes) {
        PyErr_NoMemory();
        goto fail;
    }
    /* hits per work: an open-addressing count table sized by the works seen (a few dozen at most, however
     * many hits), then the works by count (descending), id (ascending) */
    {
        Py_ssize_t size = 256, nw = 0;
        int64_t *slots = ws, *counts = malloc(size * sizeof(int64_t));
        if (!counts) {
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t i = 0; i < size; i++) slots[i] = -1;
        for (Py_ssize_t i = lo; i < hi; i++) {
            int64_t key = self->other[i].work;
            Py_ssize_t at = (Py_ssize_t)(((uint64_t)key * 0x9E3779B97F4A7C15ULL) >> 32) & (size - 1);
            while (slots[at] != -1 && slots[at] != key) at = (at + 1) & (size - 1);
            if (slots[at] == -1) {
                if (2 * (nw + 1) > size) { /* grow: rehash into a table twice the size */
                    Py_ssize_t nsize = size * 2;
                    int64_t *ns = malloc(nsize * sizeof(int64_t)), *nc = calloc(nsize, sizeof(int64_t));
                    if (!ns || !nc) {
                        free(ns);
                        free(nc);
                        free(counts);
                        PyErr_NoMemory();
                        goto fail;
                    }
                    for (Py_ssize_t j = 0; j < nsize; j++) ns[j] = -1;
                    for (Py_ssize_t j = 0; j < size; j++) {
                        if (slots[j] == -1) continue;
                        Py_ssize_t t = (Py_ssize_t)(((uint64_t)slots[j] * 0x9E3779B97F4A7C15ULL) >> 32) & (nsize - 1);
                        while (ns[t] != -1) t = (t + 1) & (nsize - 1);
                        ns[t] = slots[j];
                        nc[t] = counts[j];
                    }
                    if (slots != ws) free(slots);
                    free(counts);
                    slots = ns;
                    counts = nc;
                    size = nsize;
                    at = (Py_ssize_t)(((uint64_t)key * 0x9E3779B97F4A7C15ULL) >> 32) & (size - 1);
                    while (slots[at] != -1 && slots[at] != key) at = (at + 1) & (size - 1);
                }
                slots[at] = key;
                counts[at] = 0;
                nw++;
            }
            counts[at]++;
        }
        Py_ssize_t m = 0;
        for (Py_ssize_t i = 0; i < size; i++)
            if (slots[i] != -1) wc[m++] = (wc_t){slots[i], counts[i]};
        if (slots != ws) free(slots);
        free(counts);
        qsort(wc, m, sizeof(wc_t), wc_cmp);
        ntop = m < sample ? (int)m : sample;
    }
    for (int t = 0; t < ntop; t++) {
        PyObject *key = PyLong_FromLongLong(wc[t].work);
        if (!key) {
            ntop = t;
            goto fail;
        }
        keep[t] = PyDict_GetItemWithError(cache, key); /* borrowed */
        if (!keep[t] && !PyErr_Occurred()) {
            keep[t] = PyObject_CallFunctionObjArgs(mask_of, key, NULL);
            if (keep[t] && PyDict_SetItem(cache, key, keep[t]) < 0) Py_CLEAR(keep[t]);
        } else {
            Py_XINCREF(keep[t]);
        }
        Py_DECREF(key);
        if (!keep[t]) {
            ntop = t;
            goto fail;
        }
        masks[t] = get_buf(&b, keep[t], 1, &lens[t], "quote mask");
        if (!masks[t]) {
            ntop = t + 1;
            goto fail;
        }
    }
    /* Each hit finds its work among the top ones as np.searchsorted(top, works) did in the numpy code this
     * replaced: a binary search over ids in count order (not sorted), carrying its bounds from one key to
     * the next as numpy does, so that a hit the search misses casts no vote.  Kept exactly so that a
     * speed change moves no finding. */
    Py_ssize_t bmin = 0, bmax = ntop;
    int64_t last = nh ? self->other[lo].work : 0;
    for (Py_ssize_t i = lo; i < hi; i++) {
        const ohit_t *h = &self->other[i];
        if (last < h->work) {
            bmax = ntop;
        } else {
            bmin = 0;
            bmax = bmax < ntop ? bmax + 1 : ntop;
        }
        last = h->work;
        while (bmin < bmax) {
            Py_ssize_t mid = bmin + ((bmax - bmin) >> 1);
            if (wc[mid].work < h->work) bmin = mid + 1; else bmax = mid;
        }
        int slot = bmin < ntop && wc[bmin].work == h->work ? (int)bmin : -1;
        if (slot < 0 || h->wpos >= lens[slot]) continue;
        int64_t dpos = h->pos - a;
        for (int d = 0; d < k; d++) {
            int64_t at = dpos + d;
            if (at >= n) continue;
            int64_t src = h->wpos + d < lens[slot] - 1 ? h->wpos + d : lens[slot] - 1;
            seen[at]++;
            votes[at] += masks[slot][src] != 0;
        }
    }
    for (Py_ssize_t t = 0; t < n; t++) out[t] = seen[t] > 0 && votes[t] * 2 >= seen[t] && votes[t] > 0;
    bufs_release(&b);
    for (int t = 0; t < ntop; t++) Py_DECREF(keep[t]);
    free(ws);
    free(wc);
    free(seen);
    free(votes);
    return res;
fail:
    bufs_release(&b);
    for (int t = 0; t < ntop; t++) Py_XDECREF(keep[t]);
    free(ws);
    free(wc);
    free(seen);
    free(votes);
    Py_DECREF(res);
    return NULL;
}

static PyObject *WorkHits_nbytes(WorkHitsObject *self, void *closure) {
    return PyLong_FromSsize_t(self->nk * (Py_ssize_t)sizeof(int32_t) + self->nother * (Py_ssize_t)sizeof(ohit_t));
}

static PyGetSetDef WorkHits_getset[] = {{"nbytes", (getter)WorkHits_nbytes, NULL, "memory held", NULL}, {NULL}};

static PyMethodDef WorkHits_methods[] = {
    {"stats", (PyCFunction)WorkHits_stats, METH_VARARGS, "stats(a, e) -> (other works hold some, median df)"},
    {"quoted_elsewhere", (PyCFunction)WorkHits_quoted_elsewhere, METH_VARARGS,
     "quoted_elsewhere(a, e, n, k, sample, cache, mask_of) -> bytearray"},
    {NULL}};

static PyTypeObject WorkHitsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "compliance._kernel.WorkHits",
    .tp_basicsize = sizeof(WorkHitsObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A work's k-grams looked up in the seed index once: df per position, other works' hits.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)WorkHits_init,
    .tp_dealloc = (destructor)WorkHits_dealloc,
    .tp_methods = WorkHits_methods,
    .tp_getset = WorkHits_getset,
};

/* counts(work_hashes, doc_hashes, quoted, quoted_elsewhere[, n]) -> (quoted words, matched words not quoted,
 * matched words): a passage's work words in quotation marks (here or, by the works that share them,
 * elsewhere; either mask may be None), and its words the document's side shares.  A word is shared when
 * one of the n-grams it is part of (n consecutive words of the passage) is also n consecutive words of the
 * document's side: words in common runs, not the same words scattered ("the", "said", a name), which
 * two articles on one story always share.  n = 1 counts every word found anywhere in the document's side. */
static PyObject *k_counts(PyObject *self, PyObject *args) {
    PyObject *wo, *dob, *qo, *eo;
    int ng = 1;
    if (!PyArg_ParseTuple(args, "OOOO|i", &wo, &dob, &qo, &eo, &ng)) return NULL;
    if (ng < 1) ng = 1;
    bufs_t b = {0};
    Py_ssize_t nw, nd, nq = -1, ne = -1;
    const uint8_t *q = NULL, *el = NULL;
    const uint64_t *wh = get_buf(&b, wo, 8, &nw, "work hashes");
    const uint64_t *dh = wh ? get_buf(&b, dob, 8, &nd, "doc hashes") : NULL;
    if (!dh) goto fail;
    if (qo != Py_None && !(q = get_buf(&b, qo, 1, &nq, "quoted"))) goto fail;
    if (eo != Py_None && !(el = get_buf(&b, eo, 1, &ne, "quoted elsewhere"))) goto fail;
    if ((q && nq != nw) || (el && ne != nw)) {
        PyErr_SetString(PyExc_ValueError, "counts: mask length");
        goto fail;
    }
    long long quoted = 0, unquoted = 0, matched = 0;
    uint8_t *shared = calloc(nw ? nw : 1, 1);
    uint64_t *dg = NULL;
    Py_ssize_t ndg = nd - ng + 1, nwg = nw - ng + 1;
    htab_t t = {0};
    int err = !shared;
    if (!err && ndg > 0 && nwg > 0) {
        dg = malloc(ndg * sizeof(uint64_t));
        err = !dg;
        if (!err) {
            for (Py_ssize_t i = 0; i < ndg; i++) {
                uint64_t acc = 0;
                for (int j = 0; j < ng; j++) acc = mix64(acc + dh[i + j]);
                dg[i] = acc;
            }
            err = ht_build(&t, dg, ndg) < 0;
            if (!err)
                for (Py_ssize_t i = 0; i < nwg; i++) {
                    uint64_t acc = 0;
                    for (int j = 0; j < ng; j++) acc = mix64(acc + wh[i + j]);
                    if (ht_find(&t, acc) >= 0) memset(shared + i, 1, ng);
                }
        }
    }
    ht_free(&t);
    free(dg);
    if (err) {
        free(shared);
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < nw; i++) {
        int qi = (q && q[i]) || (el && el[i]);
        quoted += qi;
        matched += shared[i];
        if (!qi && shared[i]) unquoted++;
    }
    free(shared);
    bufs_release(&b);
    return Py_BuildValue("(LLL)", quoted, unquoted, matched);
fail:
    bufs_release(&b);
    return NULL;
}

static PyMethodDef methods[] = {
    {"tokenize", k_tokenize, METH_VARARGS, "tokenize(text, fold, expand, mult, astral) -> 5 bytearrays"},
    {"screen", k_screen, METH_VARARGS, "screen(texts, fold, expand, mult, astral, config) -> candidate lists"},
    {"counts", k_counts, METH_VARARGS, "counts(work_hashes, doc_hashes, quoted, elsewhere) -> (quoted, matched unquoted)"},
    {"windows", k_windows, METH_VARARGS, "windows(hashes, sentence, window_words, kmult, hard) -> (first, last, value)"},
    {"fingerprints", k_fingerprints, METH_VARARGS, "fingerprints(hashes, bounds, k, w, kmult) -> per record (kgrams, positions, simhash) or None"},
    {"align", k_align, METH_VARARGS, "align(doc: Side, work: Side, settings) -> merged candidates"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "_kernel", "Compiled loops of a scan.", -1, methods};

PyMODINIT_FUNC PyInit__kernel(void) {
    init_spread();
    struct {
        const char *name;
        PyTypeObject *type;
    } types[] = {{"Side", &SideType}, {"WorkHits", &WorkHitsType}, {"Anchors", &AnchorsType}};
    PyObject *m = PyModule_Create(&moddef);
    if (!m) return NULL;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (PyType_Ready(types[i].type) < 0) goto fail;
        Py_INCREF(types[i].type);
        if (PyModule_AddObject(m, types[i].name, (PyObject *)types[i].type) < 0) {
            Py_DECREF(types[i].type);
            goto fail;
        }
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
