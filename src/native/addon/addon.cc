// The N-API surface of the native backend: typed-array arguments in, kernels from the ISA table, work on the pool.
//
// Instruction sets: the kernels are written once (kernels.inc, GCC vector extensions) and compiled three times,
// for AVX-512, AVX2+FMA and baseline x86-64 (SSE2), each translation unit with its own -m flags; the table is
// chosen once at load by cpuid (__builtin_cpu_supports). Separate TUs rather than target attributes so that the
// compiler's auto-vectorization and inlining of the shared code see one ISA per TU, and one binary runs on any
// x86-64 (and, with only the generic TU, on other architectures). VAEKIT_NATIVE_ISA=avx2|generic forces a
// narrower table (used by the tests to exercise every path on an AVX-512 machine).
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace vk {
namespace {

const Kernels* K = &kernels_generic;
Pool* pool = nullptr;
/**
 * Set on a thread while it runs one task of a job that is itself split across the pool (the IWAE step's two halves of
 * the decoder's rows, elbo_step.inc: two_halves): the kernels it calls then run on that thread alone, since the pool
 * cannot take a job inside a job.
 */
thread_local bool tl_serial = false;
/** Threads a kernel may use here: the pool's, or 1 inside a task of a split job. */
inline int kernel_threads() { return tl_serial ? 1 : pool->threads(); }

/** The best table this CPU runs, or a narrower one when `force` names it ("avx2", "generic"). */
const Kernels* pick_kernels(const std::string& f) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (f == "generic") return &kernels_generic;
  if (f == "avx2") return avx2 ? &kernels_avx2 : &kernels_generic;
  if (avx512) return &kernels_avx512;
  if (avx2) return &kernels_avx2;
#endif
  return &kernels_generic;
}

// ------------------------------------------------------------------ argument helpers
struct Args {
  napi_env env;
  napi_value argv[20];
  size_t argc = 20;
  bool ok = true;

  Args(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr); }

  void fail(const char* msg) {
    if (ok) napi_throw_type_error(env, nullptr, msg);
    ok = false;
  }
  template <class T>
  T* array(size_t i, napi_typedarray_type want, size_t* len = nullptr) {
    if (!ok) return nullptr;
    napi_valuetype vt;
    if (i >= argc || napi_typeof(env, argv[i], &vt) != napi_ok) return fail("missing argument"), nullptr;
    if (vt == napi_null || vt == napi_undefined) return nullptr;
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    if (!is) return fail("expected a typed array"), nullptr;
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value ab;
    size_t off;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, &ab, &off);
    if (type != want) return fail("typed array of the wrong type"), nullptr;
    if (len) *len = length;
    return static_cast<T*>(data);
  }
  float* f32(size_t i, size_t* len = nullptr) { return array<float>(i, napi_float32_array, len); }
  uint8_t* u8(size_t i, size_t* len = nullptr) { return array<uint8_t>(i, napi_uint8_array, len); }
  double num(size_t i) {
    double v = 0;
    if (ok && (i >= argc || napi_get_value_double(env, argv[i], &v) != napi_ok)) fail("expected a number");
    return v;
  }
  long integer(size_t i) { return static_cast<long>(num(i)); }
};

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// ------------------------------------------------------------------ parallel helpers
/** Splits [0, n) into per-thread chunks aligned to `align` and runs f(begin, end) on the pool. */
template <class F>
void parallel_range(long n, long align, long min_per_thread, F&& f) {
  int t = kernel_threads();
  long chunks = std::min<long>(t, std::max<long>(1, n / std::max<long>(min_per_thread, 1)));
  if (chunks <= 1) {
    f(0L, n);
    return;
  }
  struct Ctx {
    F* f;
    long n, per;
  } ctx{&f, n, ((n + chunks - 1) / chunks + align - 1) / align * align};
  pool->run(static_cast<int>(chunks),
            [](void* p, int i) {
              auto* c = static_cast<Ctx*>(p);
              long b = i * c->per, e = std::min(c->n, b + c->per);
              if (b < e) (*c->f)(b, e);
            },
            &ctx);
}

constexpr long kElementwiseGrain = 32768;  // below this, a pool hand-off costs more than it saves

// ------------------------------------------------------------------ GEMM
struct GemmJob {
  int M, N, K;
  const float* A;
  long rsa, csa;
  const float* B;
  long rsb, csb;
  float* C;
  const float* bias;
  int act;
  float alpha;
  bool split_n;
  int parts, step;
  bool accumulate;
};

void gemm_part(void* p, int i) {
  auto* j = static_cast<GemmJob*>(p);
  int lo = i * j->step, hi = i == j->parts - 1 ? (j->split_n ? j->N : j->M) : lo + j->step;  // the last takes the rest
  if (lo >= hi) return;
  if (j->split_n) {
    K->gemm_rect(0, j->M, lo, hi, j->K, j->A, j->rsa, j->csa, j->B, j->rsb, j->csb, j->C, j->N, j->accumulate);
    if (j->bias || j->act) {
      // The epilogue runs on this thread's columns while they are in cache.
      for (int r = 0; r < j->M; r++)
        K->bias_act(j->C + static_cast<long>(r) * j->N + lo, 0, 1, hi - lo, j->bias ? j->bias + lo : nullptr, j->act,
                    j->alpha);
    }
  } else {
    K->gemm_rect(lo, hi, 0, j->N, j->K, j->A, j->rsa, j->csa, j->B, j->rsb, j->csb, j->C, j->N, j->accumulate);
    if (j->bias || j->act) K->bias_act(j->C, lo, hi, j->N, j->bias, j->act, j->alpha);
  }
}

/** One product C[M, N] = act(op(A) op(B) + bias), threaded over rows or columns of C. */
void gemm_one(int M, int N, int K_, const float* A, bool ta, const float* B, bool tb, float* C, const float* bias,
              int act, float alpha, bool accumulate = false) {
  GemmJob j{M, N, K_, A, ta ? 1L : K_, ta ? static_cast<long>(M) : 1L, B, tb ? 1L : N, tb ? static_cast<long>(K_) : 1L,
            C, bias, act, alpha, false, 1, M, accumulate};
  int t = kernel_threads();
  double work = static_cast<double>(M) * N * std::max(K_, 1);  // multiply-adds
  int tiles_m = (M + K->mr - 1) / K->mr, tiles_n = (N + K->nr - 1) / K->nr;
  // Below ~2M multiply-adds (~25 us on one core) a second thread costs more than it brings (the workers spin between
  // the products of a step, so a hand-off takes about a microsecond). One task per thread: each task packs the whole
  // operand it does not split, so two per thread (tried for hosts where a worker loses its CPU for a while, letting
  // the caller take over more of the product) packed it twice as often; the IWAE-50 step ran 2,670 against 2,790
  // examples/s (medians of 5-9 interleaved runs), and 2,890 with the threshold lowered from 4M to 2M. A worker that
  // stalls is the contention guard's business (Pool::note_wait).
  if (t > 1 && work >= 2e6) {
    // Parts of whole register tiles, the last taking the remainder (784 columns in two: 384 and 400, not 416 and 368).
    // Each task packs the whole operand it does not split (A when splitting N, B when splitting M), so the split is
    // the one whose largest task costs less, a packed element counted as kPackCost multiply-adds (a copy against an
    // FMA lane: roughly). The IWAE-50 step's [200, 200] weight gradient (K = 1000) now splits its rows, 104 and 96,
    // where it split its columns 128 and 72; its [1000, 200] gradient at the hidden layer (K = 784) splits rows. On
    // the IWAE-50 step this measured within the machine's noise (2,769 against 2,751 examples/s, medians of 4).
    constexpr double kPackCost = 16;
    struct Split {
      int parts = 1, step = 0;
      double cost = INFINITY;
    };
    auto plan = [&](int dim, int unit, int tiles, double other, double packed) {
      Split s;
      s.parts = std::min(tiles, t);
      if (s.parts < 2) return s;
      s.step = std::max(unit, dim / s.parts / unit * unit);
      double largest = dim - static_cast<double>(s.parts - 1) * s.step;
      s.cost = largest * other * std::max(K_, 1) + kPackCost * packed;
      return s;
    };
    Split byN = plan(N, K->nr, tiles_n, M, static_cast<double>(M) * K_);
    Split byM = plan(M, K->mr, tiles_m, N, static_cast<double>(K_) * N);
    const Split& best = byN.cost < byM.cost ? byN : byM;
    if (best.parts >= 2) {
      j.split_n = &best == &byN;
      j.step = best.step;
      j.parts = best.parts;
    }
  }
  if (j.parts == 1) {
    gemm_part(&j, 0);
  } else {
    pool->run(j.parts, gemm_part, &j);
  }
}

// gemm(a, b, c, batch, M, N, K, transA, transB, strideA, strideB, bias, act, alpha)
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t la = 0, lb = 0, lc = 0, lbias = 0;
  const float* A = a.f32(0, &la);
  const float* B = a.f32(1, &lb);
  float* C = a.f32(2, &lc);
  long batch = a.integer(3), M = a.integer(4), N = a.integer(5), Kd = a.integer(6);
  bool ta = a.num(7) != 0, tb = a.num(8) != 0;
  long sa = a.integer(9), sb = a.integer(10);
  const float* bias = a.f32(11, &lbias);
  int act = static_cast<int>(a.integer(12));
  float alpha = static_cast<float>(a.num(13));
  if (!a.ok) return nullptr;
  if (!A || !B || !C) return a.fail("gemm: null operand"), nullptr;
  if (static_cast<size_t>((batch - 1) * sa + M * Kd) > la || static_cast<size_t>((batch - 1) * sb + Kd * N) > lb ||
      static_cast<size_t>(batch * M * N) > lc || (bias && static_cast<long>(lbias) < N))
    return a.fail("gemm: operand too small for the shapes"), nullptr;
  for (long i = 0; i < batch; i++)
    gemm_one(M, N, Kd, A + i * sa, ta, B + i * sb, tb, C + i * M * N, bias, act, alpha);
  return undefined(env);
}


// ------------------------------------------------------------------ convolution
#include "conv.inc"

// ------------------------------------------------------------------ element-wise
// unary(op, x, y, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int op = static_cast<int>(a.integer(0));
  size_t n = 0, ny = 0;
  const float* x = a.f32(1, &n);
  float* y = a.f32(2, &ny);
  float alpha = static_cast<float>(a.num(3));
  if (!a.ok) return nullptr;
  if (!x || !y || ny < n || op < 0 || op >= U_COUNT) return a.fail("unary: bad arguments"), nullptr;
  parallel_range(static_cast<long>(n), 16, kElementwiseGrain,
                 [&](long b, long e) { K->unary(op, x + b, y + b, e - b, alpha); });
  return undefined(env);
}

/** Output length and alignment of a broadcast: row/column broadcasts are split on whole rows. */
bool check_bcast(int bc, size_t na, size_t nb, size_t ny, long inner) {
  switch (bc) {
    case BC_SAME: return na == ny && nb == ny;
    case BC_A_SCALAR: return na == 1 && nb == ny;
    case BC_B_SCALAR: return nb == 1 && na == ny;
    case BC_A_ROW: return inner > 0 && na == static_cast<size_t>(inner) && nb == ny && ny % inner == 0;
    case BC_B_ROW: return inner > 0 && nb == static_cast<size_t>(inner) && na == ny && ny % inner == 0;
    case BC_A_COL: return inner > 0 && nb == ny && ny % inner == 0 && na == ny / inner;
    case BC_B_COL: return inner > 0 && na == ny && ny % inner == 0 && nb == ny / inner;
  }
  return false;
}

// binary(op, bc, a, b, y, inner)
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int op = static_cast<int>(a.integer(0)), bc = static_cast<int>(a.integer(1));
  size_t na = 0, nb = 0, ny = 0;
  const float* x = a.f32(2, &na);
  const float* z = a.f32(3, &nb);
  float* y = a.f32(4, &ny);
  long inner = a.integer(5);
  if (!a.ok) return nullptr;
  if (!x || !z || !y || op < 0 || op >= B_COUNT || !check_bcast(bc, na, nb, ny, inner))
    return a.fail("binary: bad arguments"), nullptr;
  bool rows = bc >= BC_A_ROW;
  long align = rows ? inner : 16;
  parallel_range(static_cast<long>(ny), align, kElementwiseGrain,
                 [&](long b, long e) { K->binary(op, bc, x, z, y, b, e, inner); });
  return undefined(env);
}

// compare(op, bc, a, b, y:u8, inner)
napi_value Compare(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int op = static_cast<int>(a.integer(0)), bc = static_cast<int>(a.integer(1));
  size_t na = 0, nb = 0, ny = 0;
  const float* x = a.f32(2, &na);
  const float* z = a.f32(3, &nb);
  uint8_t* y = a.u8(4, &ny);
  long inner = a.integer(5);
  if (!a.ok) return nullptr;
  if (!x || !z || !y || op < 0 || op >= C_COUNT || !check_bcast(bc, na, nb, ny, inner))
    return a.fail("compare: bad arguments"), nullptr;
  parallel_range(static_cast<long>(ny), 64, kElementwiseGrain,
                 [&](long b, long e) { K->compare(op, bc, x, z, y, b, e, inner); });
  return undefined(env);
}

// select(cond:u8, a, b, y)
napi_value Select(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t nc = 0, na = 0, nb = 0, ny = 0;
  const uint8_t* c = a.u8(0, &nc);
  const float* x = a.f32(1, &na);
  const float* z = a.f32(2, &nb);
  float* y = a.f32(3, &ny);
  if (!a.ok) return nullptr;
  if (!c || !x || !z || !y || nc != ny || na != ny || nb != ny) return a.fail("select: bad arguments"), nullptr;
  parallel_range(static_cast<long>(ny), 64, kElementwiseGrain, [&](long b, long e) { K->select(c, x, z, y, b, e); });
  return undefined(env);
}

// leakyReluGrad(dy, x, dx, alpha): dx = x > 0 ? dy : alpha dy, the gradient of relu (alpha 0) and leaky ReLU in one
// pass (tfjs's own gradients run two or three kernels: a mask, a product and a select).
napi_value LeakyReluGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t ndy = 0, nx = 0, ndx = 0;
  const float* dy = a.f32(0, &ndy);
  const float* x = a.f32(1, &nx);
  float* dx = a.f32(2, &ndx);
  float alpha = static_cast<float>(a.num(3));
  if (!a.ok) return nullptr;
  if (!dy || !x || !dx || nx != ndy || ndx != ndy) return a.fail("leakyReluGrad: bad arguments"), nullptr;
  parallel_range(static_cast<long>(ndy), 64, kElementwiseGrain, [&](long b, long e) {
    // Branch-free: half the values are negative, and a mispredicted branch per element cost 5x.
    for (long i = b; i < e; i++) dx[i] = dy[i] * (alpha + (1.f - alpha) * static_cast<float>(x[i] > 0.f));
  });
  return undefined(env);
}

// sumRows(x, y, rows, inner): y[r] = sum_j x[r, j]
napi_value SumRows(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t nx = 0, ny = 0;
  const float* x = a.f32(0, &nx);
  float* y = a.f32(1, &ny);
  long rows = a.integer(2), inner = a.integer(3);
  if (!a.ok) return nullptr;
  if (!x || !y || static_cast<size_t>(rows * inner) > nx || static_cast<size_t>(rows) > ny)
    return a.fail("sumRows: bad arguments"), nullptr;
  long grain = std::max<long>(1, kElementwiseGrain / std::max<long>(inner, 1));
  parallel_range(rows, 1, grain, [&](long b, long e) { K->sum_rows(x, y, b, e, inner); });
  return undefined(env);
}

// sumCols(x, y, rows, inner): y[c] = sum_r x[r, c]
napi_value SumCols(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t nx = 0, ny = 0;
  const float* x = a.f32(0, &nx);
  float* y = a.f32(1, &ny);
  long rows = a.integer(2), inner = a.integer(3);
  if (!a.ok) return nullptr;
  if (!x || !y || static_cast<size_t>(rows * inner) > nx || static_cast<size_t>(inner) > ny)
    return a.fail("sumCols: bad arguments"), nullptr;
  long grain = std::max<long>(16, kElementwiseGrain / std::max<long>(rows, 1));
  parallel_range(inner, 16, grain, [&](long b, long e) { K->sum_cols(x, y, rows, inner, b, e); });
  return undefined(env);
}

// adam(w, m, v, g, w2, m2, v2, beta1, beta2, 1 - beta1, 1 - beta2, eps, sqrt(1 - beta2^t), lr / (1 - beta1^t))
napi_value Adam(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n[7] = {};
  const float* w = a.f32(0, &n[0]);
  const float* m = a.f32(1, &n[1]);
  const float* v = a.f32(2, &n[2]);
  const float* g = a.f32(3, &n[3]);
  float* w2 = a.f32(4, &n[4]);
  float* m2 = a.f32(5, &n[5]);
  float* v2 = a.f32(6, &n[6]);
  float b1 = a.num(7), b2 = a.num(8), o1 = a.num(9), o2 = a.num(10), eps = a.num(11), s2 = a.num(12),
        step = a.num(13);
  if (!a.ok) return nullptr;
  if (!w || !m || !v || !g || !w2 || !m2 || !v2) return a.fail("adam: null operand"), nullptr;
  for (size_t i = 1; i < 7; i++)
    if (n[i] != n[0]) return a.fail("adam: operands of different sizes"), nullptr;
  parallel_range(static_cast<long>(n[0]), 16, kElementwiseGrain,
                 [&](long b, long e) { K->adam(w, m, v, g, w2, m2, v2, b, e, b1, b2, o1, o2, eps, s2, step); });
  return undefined(env);
}

// objective(term, a, b, y, rows, d): term 0 = Bernoulli log-likelihood (a = x, b = logits), 1 = KL (a = mean, b = logVar)
napi_value Objective(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int term = static_cast<int>(a.integer(0));
  size_t na = 0, nb = 0, ny = 0;
  const float* x = a.f32(1, &na);
  const float* z = a.f32(2, &nb);
  float* y = a.f32(3, &ny);
  long rows = a.integer(4), d = a.integer(5);
  if (!a.ok) return nullptr;
  if (!x || !z || !y || (term != 0 && term != 1) || rows < 0 || d < 0 || na != static_cast<size_t>(rows * d) || nb != na ||
      ny != static_cast<size_t>(rows))
    return a.fail("objective: bad arguments"), nullptr;
  auto f = term == 0 ? K->bernoulli_rows : K->kl_rows;
  parallel_range(rows, 1, std::max<long>(1, kElementwiseGrain / std::max<long>(d, 1)),
                 [&](long b, long e) { f(x, z, y, b, e, d); });
  return undefined(env);
}

// objectiveGrad(term, a, b, dy, out1, out2, rows, d): the gradients of objective(); either output may be null
napi_value ObjectiveGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int term = static_cast<int>(a.integer(0));
  size_t na = 0, nb = 0, ndy = 0, nda = 0, ndb = 0;
  const float* x = a.f32(1, &na);
  const float* z = a.f32(2, &nb);
  const float* dy = a.f32(3, &ndy);
  float* da = a.f32(4, &nda);
  float* db = a.f32(5, &ndb);
  long rows = a.integer(6), d = a.integer(7);
  if (!a.ok) return nullptr;
  if (!x || !z || !dy || (!da && !db) || (term != 0 && term != 1) || rows < 0 || d < 0 ||
      na != static_cast<size_t>(rows * d) || nb != na || (da && nda != na) || (db && ndb != na) ||
      ndy != static_cast<size_t>(rows))
    return a.fail("objectiveGrad: bad arguments"), nullptr;
  // For the Bernoulli term the kernel's outputs are (d logits, d x); the JS side maps them back.
  auto f = term == 0 ? K->bernoulli_grad : K->kl_grad;
  parallel_range(rows, 1, std::max<long>(1, kElementwiseGrain / std::max<long>(d, 1)),
                 [&](long b, long e) { f(x, z, dy, da, db, b, e, d); });
  return undefined(env);
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value o, isa, th, size;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, K->isa, NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, pool->threads(), &th);
  napi_create_int32(env, pool->size(), &size);
  napi_set_named_property(env, o, "isa", isa);
  napi_set_named_property(env, o, "threads", th);
  napi_set_named_property(env, o, "poolSize", size);
  napi_value sl;
  napi_create_int64(env, pool->sleeps(), &sl);
  napi_set_named_property(env, o, "sleeps", sl);
  napi_value solo;
  napi_create_int64(env, pool->solo_spells(), &solo);
  napi_set_named_property(env, o, "soloSpells", solo);
  return o;
}

// setThreads(n): how many pool threads take part (1 = the calling thread only); used by the sgemm benchmark.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n = a.integer(0);
  if (!a.ok) return nullptr;
  pool->set_threads(static_cast<int>(n));
  return undefined(env);
}

// setIsa(name): switches the kernel table ("avx512", "avx2", "generic"; anything else = the best); returns the
// table now in use, which is narrower than asked when the CPU lacks the instructions. For tests and benchmarks.
napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args a(env, info);
  char buf[32] = {};
  size_t len = 0;
  if (a.argc < 1 || napi_get_value_string_utf8(env, a.argv[0], buf, sizeof(buf), &len) != napi_ok)
    return a.fail("setIsa: expected a string"), nullptr;
  std::string want(buf, len);
  const Kernels* best = pick_kernels("");
  if (want == "avx512") K = best;
  else K = pick_kernels(want);
  napi_value out;
  napi_create_string_utf8(env, K->isa, NAPI_AUTO_LENGTH, &out);
  return out;
}

#include "elbo_step.inc"
#include "random.inc"

// ------------------------------------------------------------------ fused activations, batch normalization
#include "fused_act.inc"
#include "batch_norm.inc"

// ------------------------------------------------------------------ beta-TCVAE's total-correlation estimators
#include "tc.inc"

napi_value Init(napi_env env, napi_value exports) {
  if (!pool) {
    const char* force = std::getenv("VAEKIT_NATIVE_ISA");
    K = pick_kernels(force ? force : "");
    int hw = static_cast<int>(std::thread::hardware_concurrency());
    const char* env_threads = std::getenv("VAEKIT_NATIVE_THREADS");
    if (env_threads && std::atoi(env_threads) > 0) hw = std::atoi(env_threads);
    pool = new Pool(std::max(1, hw));  // never deleted: see Pool
  }
  napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyReluGrad", nullptr, LeakyReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"vaeLogWeights", nullptr, VaeLogWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasAct", nullptr, BiasAct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActGrad", nullptr, BiasActGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tcLogQ", nullptr, TcLogQ, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tcLogQGrad", nullptr, TcLogQGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormStats", nullptr, BatchNormStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormApply", nullptr, BatchNormApply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormGrad", nullptr, BatchNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"compare", nullptr, Compare, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"select", nullptr, Select, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumCols", nullptr, SumCols, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"objective", nullptr, Objective, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"objectiveGrad", nullptr, ObjectiveGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"elboStep", nullptr, ElboStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"vaeForward", nullptr, VaeForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"randomNormal", nullptr, RandomNormal, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"randomUniform", nullptr, RandomUniform, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"randomBernoulli", nullptr, RandomBernoulli, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace
}  // namespace vk

NAPI_MODULE(NODE_GYP_MODULE_NAME, vk::Init)
