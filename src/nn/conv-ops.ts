/**
 * 'same'-padded conv2d and conv2dTranspose (NHWC). On a backend with fast conv gradient kernels (native) they are
 * tfjs's own ops, whose gradients run those kernels. Elsewhere the kernel gradient is a forward conv2d of the input
 * with the output gradient: tfjs-backend-cpu's Conv2DBackpropFilter kernel runs at a few MFLOP/s (6.5 s for one 3x3
 * 32->64 layer at batch 32 on this machine) and wasm has none; on wasm the input gradient (and the transposed conv)
 * is a forward conv too (transposedConv).
 */
import { tf, nativeConvGradients } from '../engine/index.js';

type Tensor4D = tf.Tensor4D;

/** TensorFlow's 'same' padding of one axis: output ceil(n / stride), the odd pixel padded at the end. */
function samePadding(n: number, k: number, stride: number): { out: number; before: number; after: number } {
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + k - n, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/**
 * The gradient of a 'same' conv2d(input, W) with respect to W [k, k, inC, outC], given the output gradient dy
 * [B, oh, ow, outC]: dW[i, j, c, o] = sum over b, y, x of padded[b, y*s + i, x*s + j, c] * dy[b, y, x, o], which is
 * itself a stride-1 conv with the batch as its channels: the input's channels as the batch, dy as an oh x ow filter
 * dilated by the stride. So it runs on the backend's forward Conv2D kernel (XNNPACK on wasm, 40x faster there than
 * the strided-slice im2col this replaced); only transposes and a pad around it.
 */
function filterGradient(input: Tensor4D, dy: Tensor4D, k: number, stride: number): Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = input.shape;
    const ph = samePadding(h, k, stride);
    const pw = samePadding(w, k, stride);
    // The rows and columns the kernel reaches: (out - 1) * s + k of the padded input (padding may be 0 and the input
    // longer, e.g. k = 1, s = 2 on an even size).
    const rows = (ph.out - 1) * stride + k;
    const cols = (pw.out - 1) * stride + k;
    const padded = tf.pad(input, [[0, 0], [ph.before, Math.max(rows - h - ph.before, 0)], [pw.before, Math.max(cols - w - pw.before, 0)], [0, 0]]); // [B, >=rows, >=cols, C]
    const reached = padded.shape[1] === rows && padded.shape[2] === cols ? padded : tf.slice(padded, [0, 0, 0, 0], [b, rows, cols, c]); // [B, rows, cols, C]
    const xT = tf.transpose(reached, [3, 1, 2, 0]) as Tensor4D; // [C, rows, cols, B]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D; // [oh, ow, B, outC]: a filter over B channels
    const grad = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', stride); // [C, k, k, outC]
    return tf.transpose(grad, [1, 2, 0, 3]) as Tensor4D; // [k, k, C, outC]
  });
}

/**
 * conv2dTranspose(dy, kernel, outShape, stride, 'same'): the input gradient of a 'same' conv2d. wasm's
 * Conv2DBackpropInput kernel is a plain loop, so there it runs as a stride-1 conv2d (XNNPACK) of dy spread out with
 * stride - 1 zeros between its pixels, padded, with the kernel flipped and its channels swapped: 2.1-2.5x faster on
 * the keras.io VAE's layers at batch 128 although it multiplies the zeros too; but 2.6x slower with one output
 * channel at stride 2, where the loop is already cheap.
 */
function transposedConv(dy: Tensor4D, kernel: Tensor4D, outShape: [number, number, number, number], stride: number): Tensor4D {
  const [b, oh, ow, c] = dy.shape;
  const [, h, w, outC] = outShape;
  if (tf.getBackend() !== 'wasm' || (stride > 1 && outC < 8)) return tf.conv2dTranspose(dy, kernel, outShape, stride, 'same');
  return tf.tidy(() => {
    const k = kernel.shape[0];
    const ph = samePadding(h, k, stride);
    const pw = samePadding(w, k, stride);
    const spread = stride === 1 ? dy : tf.reshape(tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]), [b, oh * stride, ow * stride, c]); // [B, oh*s, ow*s, C], dy at multiples of s
    // Output pixel p sums spread[p + pad.before - i] * kernel[i]: pad k - 1 - before in front, to h + k - 1 in all.
    const [top, left] = [k - 1 - ph.before, k - 1 - pw.before];
    const [bottom, right] = [h + k - 1 - top - oh * stride, w + k - 1 - left - ow * stride]; // < 0: spread's trailing zeros go
    let padded = tf.pad(spread, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]]) as Tensor4D;
    if (bottom < 0 || right < 0) padded = tf.slice(padded, [0, 0, 0, 0], [b, h + k - 1, w + k - 1, c]); // [B, h+k-1, w+k-1, C]
    const flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as Tensor4D; // [k, k, C, outC]
    return tf.conv2d(padded, flipped, 1, 'valid'); // [B, h, w, outC]
  });
}

/**
 * conv2d(x, kernel, stride, 'same'); x [B, H, W, in], kernel [k, k, in, out] -> [B, ceil(H/s), ceil(W/s), out].
 *
 * @example
 * const y = conv2dSame(x, kernel, 2); // [B, 14, 14, 32] from [B, 28, 28, 1]
 */
export function conv2dSame(x: Tensor4D, kernel: Tensor4D, stride: number): Tensor4D {
  if (nativeConvGradients()) return tf.conv2d(x, kernel, stride, 'same');
  const k = kernel.shape[0];
  const op = tf.customGrad((...args) => {
    const [xs, ws, save] = args as [Tensor4D, Tensor4D, (ts: tf.Tensor[]) => void];
    save([xs, ws]);
    return {
      value: tf.conv2d(xs, ws, stride, 'same'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, wSaved] = saved as Tensor4D[];
        return [transposedConv(dy as Tensor4D, wSaved, xSaved.shape, stride), filterGradient(xSaved, dy as Tensor4D, k, stride)];
      },
    };
  });
  return op(x, kernel) as Tensor4D;
}

/**
 * conv2dTranspose(x, kernel, outputShape, stride, 'same'); x [B, h, w, in], kernel [k, k, out, in] ->
 * [B, ...outputShape] with outputShape [h*s, w*s, out].
 *
 * @example
 * const y = conv2dTransposeSame(x, kernel, [14, 14, 64], 2); // from [B, 7, 7, 64]
 */
export function conv2dTransposeSame(x: Tensor4D, kernel: Tensor4D, outputShape: [number, number, number], stride: number): Tensor4D {
  if (nativeConvGradients()) return tf.conv2dTranspose(x, kernel, [x.shape[0], ...outputShape], stride, 'same');
  const k = kernel.shape[0];
  const op = tf.customGrad((...args) => {
    const [xs, ws, save] = args as [Tensor4D, Tensor4D, (ts: tf.Tensor[]) => void];
    save([xs, ws]);
    return {
      value: transposedConv(xs, ws, [xs.shape[0], ...outputShape], stride),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, wSaved] = saved as Tensor4D[];
        // The transpose is the input gradient of conv2d(dy, W): its gradients are that conv's forward and filter gradient.
        return [tf.conv2d(dy as Tensor4D, wSaved, stride, 'same'), filterGradient(dy as Tensor4D, xSaved, k, stride)];
      },
    };
  });
  return op(x, kernel) as Tensor4D;
}
