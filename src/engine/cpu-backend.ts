/**
 * tfjs's CPU backend class, for a backend that extends it (src/native). Node only, and imported on demand: loading it
 * loads the CPU backend package's CommonJS entry, which registers the cpu kernels such a backend inherits.
 */
export { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
