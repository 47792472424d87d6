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

static int toks_reserve(toks_t *t, Py_ssize_t cap) {
    if (cap <= t->cap) return 0;
    Py_ssize_t c = t->cap ? t->cap : 1024;
    while (c < cap) c *= 2;
    void *a = realloc(t->hash, c * sizeof(uint64_t));
    if (!a) return -1;
    t->hash = a;
    a = realloc(t->start, c * sizeof(int64_t));
    if (!a) return -1;
    t->start = a;
    a = realloc(t->end, c * sizeof(int64_t));
    if (!a) return -1;
    t->end = a;
    a = realloc(t->sentence, c * sizeof(int32_t));
    if (!a) return -1;
    t->sentence = a;
    a = realloc(t->numeric, c);
    if (!a) return -1;
    t->numeric = a;
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

    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 cp = PyUnicode_READ(kind, data, i);
        uint32_t v = cp < 0x10000 ? f->fold[cp] : fold_astral(f, cp, &err);
        if (err) return -1;
        if (v == F_SKIP) continue;
        if (v == F_SEP) {
            CLOSE();
            continue;
        }
        if (v & F_EXPAND) {
            uint32_t n = (v >> 24) & 0xF, idx = v & 0xFFFFFF;
            if (idx + n > (uint32_t)f->n_expand) {
                PyErr_SetString(PyExc_ValueError, "fold table expansion out of range");
                return -1;
            }
            if (state != 1) {
                CLOSE();
                OPEN(1, i);
            }
            for (uint32_t e = 0; e < n; e++) ADD(f->expand[idx + e]);
            tend = i + 1;
            continue;
        }
        if (v & F_SOLO) {
            CLOSE();
            OPEN(2, i);
            ADD(v & F_CODE);
            tend = i + 1;
            continue;
        }
        if (v & F_MARK) {
            if (state) {
                ADD(v & F_CODE);
                tend = i + 1;
            }
            continue;
        }
        if (state != 1) {
            CLOSE();
            OPEN(1, i);
        }
        ADD(v);
        tend = i + 1;
    }
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

static int hit_cmp(const void *a, const void *b) {
    const hit_t *x = a, *y = b;
    if (x->work != y->work) return x->work < y->work ? -1 : 1;
    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    if (x->p != y->p) return x->p < y->p ? -1 : 1;
    return 0;
}

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
    hit_t *hits;
    Py_ssize_t nh, caph;
    int32_t *df;      /* per k-gram position */
    Py_ssize_t capd;
    uint64_t *kg;
    Py_ssize_t capk;
    int64_t *near;
    Py_ssize_t nnear, capn;
} scratch_t;

static int grow(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    void *a = realloc(*p, c * item);
    if (!a) return -1;
    *p = a;
    *cap = c;
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

/* Near-duplicate works of one window value: push every indexed window's work within near_k bits. */
static int near_query(const screen_t *s, uint64_t v, scratch_t *sc) {
    for (int b = 0; b < s->blocks; b++) {
        uint32_t q = (uint32_t)((v >> s->shifts[b]) & (((uint64_t)1 << s->widths[b]) - 1));
        const uint32_t *keys = s->nkeys + (Py_ssize_t)b * s->nn;
        const int32_t *orders = s->norders + (Py_ssize_t)b * s->nn;
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
            int32_t row = orders[r];
            if (__builtin_popcountll(s->nvalues[row] ^ v) <= s->near_k) {
                if (grow((void **)&sc->near, &sc->capn, sc->nnear + 1, sizeof(int64_t)) < 0) return -1;
                sc->near[sc->nnear++] = s->nworks[row];
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
        Py_ssize_t max_top = s->table_len * 8;
        for (Py_ssize_t i = 0; i < nk; i++) {
            if (i + 8 < nk) {
                uint64_t tp = sc->kg[i + 8] >> s->shift;
                __builtin_prefetch(&s->table[tp >> 3]);
            }
            uint64_t q = sc->kg[i];
            uint64_t top = q >> s->shift;
            sc->df[i] = 0;
            if ((Py_ssize_t)top >= max_top || !((s->table[top >> 3] >> (top & 7)) & 1)) continue;
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
        qsort(sc->hits, sc->nh, sizeof(hit_t), hit_cmp);
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
    /* 3. sentence windows: simhash, then the near-duplicate index */
    if (s->nn > 0 && n >= 1) {
        Py_ssize_t first = 0;
        Py_ssize_t min_tail = s->window_words / 3 > 4 ? s->window_words / 3 : 4;
        Py_ssize_t pend_a = -1, pend_b = -1; /* the last window, kept open: a short tail may join it */
        for (Py_ssize_t b = 1; b <= n; b++) {
            if (b < n && t->sentence[b] == t->sentence[b - 1]) continue;
            if (b - first >= s->window_words || b == n) {
                if (b - first < min_tail && pend_a >= 0) {
                    pend_b = b;
                } else if (b > first) {
                    if (pend_a >= 0 && pend_b - pend_a >= s->near_min_words) {
                        /* features [a, end-1), or [a, a+1) for a one-word window, clipped to n-1 */
                        Py_ssize_t nf = n - 1, fa = pend_a < nf ? pend_a : nf;
                        Py_ssize_t fb = pend_b - 1 < nf ? pend_b - 1 : nf;
                        if (fb < pend_a + 1) fb = pend_a + 1;
                        if (fb > nf) fb = nf;
                        if (near_query(s, window_simhash(t->hash, fa, fb, s->kmult), sc) < 0) goto nomem;
                    }
                    pend_a = first;
                    pend_b = b;
                }
                first = b;
            }
        }
        if (pend_a >= 0 && pend_b - pend_a >= s->near_min_words) {
            Py_ssize_t nf = n - 1, fa = pend_a < nf ? pend_a : nf;
            Py_ssize_t fb = pend_b - 1 < nf ? pend_b - 1 : nf;
            if (fb < pend_a + 1) fb = pend_a + 1;
            if (fb > nf) fb = nf;
            if (near_query(s, window_simhash(t->hash, fa, fb, s->kmult), sc) < 0) goto nomem;
        }
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
    if (!(o = get_obj(cfg, "hashes")) || !(s.hashes = get_buf(&b, o, 8, &s.n, "hashes"))) goto done;
    if (!(o = get_obj(cfg, "works")) || !(s.works = get_buf(&b, o, 4, &n, "works"))) goto done;
    if (n != s.n) { PyErr_SetString(PyExc_ValueError, "works length"); goto done; }
    if (!(o = get_obj(cfg, "positions")) || !(s.positions = get_buf(&b, o, 4, &n, "positions"))) goto done;
    if (n != s.n) { PyErr_SetString(PyExc_ValueError, "positions length"); goto done; }
    if (!(o = get_obj(cfg, "table")) || !(s.table = get_buf(&b, o, 1, &s.table_len, "table"))) goto done;
    if (!(o = get_obj(cfg, "offsets"))) goto done;
    {
        Py_buffer *v = &b.views[b.n];
        if (!(s.offsets = get_buf(&b, o, 0, &n, "offsets"))) goto done;
        if (v->itemsize != 4 && v->itemsize != 8) { PyErr_SetString(PyExc_TypeError, "offsets: 4 or 8 byte items"); goto done; }
        s.offsets_wide = v->itemsize == 8;
    }
    int nbuckets_plus;
    if (get_int(cfg, "shift", &s.shift) < 0 || get_int(cfg, "bucket_bits", &s.bucket_bits) < 0) goto done;
    nbuckets_plus = (1 << s.bucket_bits) + 1;
    if (n < nbuckets_plus) { PyErr_SetString(PyExc_ValueError, "offsets shorter than the buckets"); goto done; }
    if (get_int(cfg, "k", &s.k) < 0 || get_int(cfg, "window_words", &s.window_words) < 0 ||
        get_int(cfg, "near_min_words", &s.near_min_words) < 0 || get_int(cfg, "min_hits", &s.min_hits) < 0 ||
        get_int(cfg, "diag", &s.diag) < 0 || get_int(cfg, "cwindow", &s.cwindow) < 0 ||
        get_int(cfg, "max_cand", &s.max_cand) < 0 || get_int(cfg, "near_k", &s.near_k) < 0 ||
        get_int(cfg, "blocks", &s.blocks) < 0)
        goto done;
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
    free(sc.df);
    free(sc.kg);
    free(sc.near);
    bufs_release(&b);
    Py_DECREF(seq);
    return res;
}

static PyMethodDef methods[] = {
    {"tokenize", k_tokenize, METH_VARARGS, "tokenize(text, fold, expand, mult, astral) -> 5 bytearrays"},
    {"screen", k_screen, METH_VARARGS, "screen(texts, fold, expand, mult, astral, config) -> candidate lists"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "_kernel", "Compiled loops of a scan.", -1, methods};

PyMODINIT_FUNC PyInit__kernel(void) {
    init_spread();
    return PyModule_Create(&moddef);
}
