// The table of SIMD kernels: one instance per instruction set (kernels_*.cc), chosen at load time by cpuid.
#pragma once
#include <cstddef>
#include <cstdint>

namespace vk {

enum Act : int { ACT_LINEAR = 0, ACT_RELU = 1, ACT_SIGMOID = 2, ACT_RELU6 = 3, ACT_LEAKYRELU = 4, ACT_ELU = 5 };

// Unary element-wise ops; the numbering is shared with src/native/kernels.ts.
enum Unary : int {
  U_NEG = 0, U_EXP, U_LOG, U_LOG1P, U_SQRT, U_RSQRT, U_SQUARE, U_ABS, U_RELU, U_SIGMOID, U_SOFTPLUS, U_STEP,
  U_RECIPROCAL, U_RELU6, U_EXPM1, U_TANH, U_LEAKY_RELU, U_COUNT
};
// Binary element-wise ops with a float result.
enum Binary : int { B_ADD = 0, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_SQDIFF, B_COUNT };
// Comparisons with a 0/1 uint8 result.
enum Compare : int { C_GREATER = 0, C_GREATER_EQ, C_LESS, C_LESS_EQ, C_EQUAL, C_NOT_EQUAL, C_COUNT };

/** How the second operand's index follows the first: same shape, a scalar, or a row repeated over leading dims. */
enum Bcast : int { BC_SAME = 0, BC_A_SCALAR, BC_B_SCALAR, BC_A_ROW, BC_B_ROW, BC_A_COL, BC_B_COL };

struct Kernels {
  const char* isa;
  /** The GEMM register tile: rows of op(A) by columns of op(B); threads split C on multiples of these. */
  int mr, nr;
  /**
   * C[m0:m1, n0:n1] (+)= op(A) op(B) for one rectangle, single-threaded. Element (i, k) of op(A) is
   * A[i * rsa + k * csa], element (k, j) of op(B) is B[k * rsb + j * csb]; C is row-major with leading dim ldc.
   */
  void (*gemm_rect)(int m0, int m1, int n0, int n1, int K, const float* A, long rsa, long csa, const float* B,
                    long rsb, long csb, float* C, long ldc, bool accumulate);
  /** C[m0:m1, :] = act(C + bias) where bias has N entries (or is null). */
  void (*bias_act)(float* C, long m0, long m1, long N, const float* bias, int act, float alpha);
  void (*unary)(int op, const float* x, float* y, long n, float alpha);
  /** y[i] = a[ia] op b[ib] for i in [i0, i1); `inner` is the row length for the row / column broadcasts. */
  void (*binary)(int op, int bc, const float* a, const float* b, float* y, long i0, long i1, long inner);
  void (*compare)(int op, int bc, const float* a, const float* b, uint8_t* y, long i0, long i1, long inner);
  /** y[r] = sum of x[r * inner : (r + 1) * inner] for r in [r0, r1). */
  void (*sum_rows)(const float* x, float* y, long r0, long r1, long inner);
  /** y[c] += sum over r of x[r * inner + c] for c in [c0, c1) (y must be zeroed by the caller). */
  void (*sum_cols)(const float* x, float* y, long rows, long inner, long c0, long c1);
  /** y = cond ? a : b with cond uint8. */
  void (*select)(const uint8_t* cond, const float* a, const float* b, float* y, long i0, long i1);
  /**
   * Objective terms per row r in [r0, r1) of [rows, d] inputs. Bernoulli log-likelihood from logits:
   * y[r] = sum_j x l - relu(l) - log1p(exp(-|l|)); its gradient dl = dy[r] (x - sigmoid(l)), dx = dy[r] l.
   * KL(N(mean, exp(logVar)) || N(0, I)): y[r] = -1/2 sum_j 1 + lv - m^2 - exp(lv); dm = dy[r] m,
   * dlv = dy[r] (exp(lv) - 1) / 2.
   */
  void (*bernoulli_rows)(const float* x, const float* l, float* y, long r0, long r1, long d);
  /** bernoulli_rows that also overwrites l with x - sigmoid(l) (the gradient's residual); row r reads x's row r % xrows. */
  void (*bernoulli_rows_resid)(const float* x, float* l, float* y, long r0, long r1, long d, long xrows);
  void (*bernoulli_grad)(const float* x, const float* l, const float* dy, float* dl, float* dx, long r0, long r1, long d);
  void (*kl_rows)(const float* m, const float* lv, float* y, long r0, long r1, long d);
  void (*kl_grad)(const float* m, const float* lv, const float* dy, float* dm, float* dlv, long r0, long r1, long d);
  /**
   * Fused Adam step on [i0, i1) in PyTorch's form (as vaekit's trainer writes it with tf ops): m' = b1 m + o1 g;
   * v' = b2 v + o2 g^2; w' = w - m' / (sqrt(v') / s2 + eps) * step, with o = 1 - b, s2 = sqrt(1 - b2^t),
   * step = lr / (1 - b1^t), all rounded to float32 by the caller as tfjs's scalars are. Outputs may alias inputs.
   */
  void (*adam)(const float* w, const float* m, const float* v, const float* g, float* w2, float* m2, float* v2, long i0,
               long i1, float b1, float b2, float o1, float o2, float eps, float s2, float step);
  /**
   * beta-TCVAE's estimators, one sample z_i [L] at a time against the batch's posteriors, given transposed [L, B]:
   * q[d * B + j] = log N(z_id; m_jd, exp(lv_jd)); and from g, the gradient at q, dzi [L] (overwritten) and the
   * contributions to dmT and dlvT [L, B] (added).
   */
  void (*tc_logq_row)(const float* zi, const float* mT, const float* lvT, const float* ivT, float* q, long B, long L);
  void (*tc_grad_row)(const float* zi, const float* mT, const float* ivT, const float* g, float* dzi, float* dmT, float* dlvT, long B, long L);
};

extern const Kernels kernels_avx512;
extern const Kernels kernels_avx2;
extern const Kernels kernels_generic;

}  // namespace vk
