/* vsin.h — a few float vector operations for the oscillator references, as wide as the compiler
 * targets (AVX-512: 16 lanes, AVX2: 8, else 1), with sinf from glibc's vector math library
 * (libmvec, link -lmvec). libmvec's sinf is within 4 ulp of the scalar one: the references'
 * samples match agraph's to 1e-6 of the peak, not bit for bit. */
#ifndef VSIN_H
#define VSIN_H

#include <math.h>

#if defined(__AVX512F__) && defined(__GLIBC__)
#include <immintrin.h>
#define VW 16
typedef __m512 vf;
__m512 _ZGVeN16v_sinf(__m512 x);
static inline vf vload(const float *p) { return _mm512_loadu_ps(p); }
static inline void vstore(float *p, vf x) { _mm512_storeu_ps(p, x); }
static inline vf vset1(float x) { return _mm512_set1_ps(x); }
static inline vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vfloor(vf x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
static inline vf vsin(vf x) { return _ZGVeN16v_sinf(x); }
static inline float vsum(vf x) { return _mm512_reduce_add_ps(x); }
#elif defined(__AVX2__) && defined(__GLIBC__)
#include <immintrin.h>
#define VW 8
typedef __m256 vf;
__m256 _ZGVdN8v_sinf(__m256 x);
static inline vf vload(const float *p) { return _mm256_loadu_ps(p); }
static inline void vstore(float *p, vf x) { _mm256_storeu_ps(p, x); }
static inline vf vset1(float x) { return _mm256_set1_ps(x); }
static inline vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vfloor(vf x) { return _mm256_floor_ps(x); }
static inline vf vsin(vf x) { return _ZGVdN8v_sinf(x); }
static inline float vsum(vf x)
{
    float v[8];
    _mm256_storeu_ps(v, x);
    return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}
#else
#define VW 1
typedef float vf;
static inline vf vload(const float *p) { return *p; }
static inline void vstore(float *p, vf x) { *p = x; }
static inline vf vset1(float x) { return x; }
static inline vf vadd(vf a, vf b) { return a + b; }
static inline vf vsub(vf a, vf b) { return a - b; }
static inline vf vmul(vf a, vf b) { return a * b; }
static inline vf vfloor(vf x) { return floorf(x); }
static inline vf vsin(vf x) { return sinf(x); }
static inline float vsum(vf x) { return x; }
#endif

/* n oscillators (n a multiple of VW): y[i] = sum of amp[k] sin(2 pi ph[k]), then each phase
 * advances by inc[k] and wraps, as agraph's std sine does (the same float operations). */
static inline void osc_bank(float *ph, const float *inc, const float *amp, int n, float *y, int frames)
{
    const vf tau = vset1(6.28318548f);
    for (int i = 0; i < frames; i++) {
        vf acc = vset1(0);
        for (int k = 0; k < n; k += VW) {
            vf p = vload(ph + k), t = vadd(p, vload(inc + k));
            acc = vadd(acc, vmul(vload(amp + k), vsin(vmul(tau, p))));
            vstore(ph + k, vsub(t, vfloor(t)));
        }
        y[i] = vsum(acc);
    }
}

#endif
