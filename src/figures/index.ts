/** Figures: tensors and arrays in, PNG or SVG bytes out; no DOM and no file system. */
export { imageGrid, tileOrigin, toByte, type GridOptions } from './png.js';
export { renderChart, chartSvg, svgToPng, compileChart, lossCurveSpec, scatterSpec, pointPanelsSpec, pathOverDataSpec, histogramsSpec, type Chart, type EpochTerms, type ScatterOptions, type PointGroup } from './charts.js';
export { scoreHistogramSpec, rocSpec } from './anomaly-charts.js';
export { heatmapSpec, SIGNED_SCHEME } from './heatmap.js';
export { marginalsSpec, correlationDiffSpec, type MarginalPanel } from './fidelity-charts.js';
