/** Models that leave vaekit and come back: ONNX, PyTorch (safetensors + a generated module), safetensors import. */
export { ONNX_OPSET, toOnnx, type OnnxModels } from './onnx.js';
export { toPytorch, fromSafetensors } from './pytorch.js';
export { encodeSafetensors, decodeSafetensors, type NamedArray } from './safetensors.js';
export { exportRun, importSafetensors, type ExportFormat } from './files.js';
