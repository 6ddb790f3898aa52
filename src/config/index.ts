/** Configuration: zod schemas, presets (one per seed system), and resolution from preset + file + flags. */
export * from './schema.js';
export { PRESETS, DEFAULT_PRESET, findPreset, type Preset } from './presets.js';
export { resolveConfig, parseConfig, readConfigFile, deepMerge } from './resolve.js';
