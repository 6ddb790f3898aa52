/** Evaluation of trained models: test ELBO and reconstruction error. */
export { evaluateModel, reconstructionError, checkShapes, type Evaluation } from './evaluate.js';
