/** Run figures and report.html: builders from model and data to figure files, and the writers for a run folder. */
export { reconstructionFigure, samplesFigure, classGridFigure, traversalFigure, manifoldFigure, latentFigure, lossFigure, interpolationFigure, runFigures, latentStepName, type Figure, type FigureFile, type FigureProgress } from './figures.js';
export { reportHtml, type ReportFigure, type ReportInput } from './html.js';
export { writeFigures, writeReport, writeLossCurve, writeRunFigures, readHistory } from './run.js';
export { figureHooks } from './train-hooks.js';
export { mutualInfoFigure, factorTraversalFigure, codeOfFactor, disentanglementRows, DISENTANGLEMENT_FILE } from './disentangle.js';
export { marginalsFigure, correlationFigure, fidelityFigures, fidelitySectionHtml, FIDELITY_FILE, MAX_MARGINAL_PANELS, type FidelityRecord } from './fidelity.js';
