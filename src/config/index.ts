/** Configuration: zod schemas, presets (one per seed system), and resolution from preset + file + flags. */
export * from './schema.js';
export { PRESETS, DEFAULT_PRESET, KINDS_WITHOUT_PRESET, findPreset, type Preset } from './presets.js';
export { resolveConfig, parseConfig, readConfigFile, deepMerge, type ResolveOptions } from './resolve.js';
export { fitToData, fitKindToData, NON_IMAGE_LIKELIHOOD, type DataChoices } from './data-rules.js';
