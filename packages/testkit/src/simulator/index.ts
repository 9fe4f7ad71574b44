export * from './demo-model.js';
export * from './energy-vad.js';
export * from './realtime-simulator.js';
export type { SimulatorConnection, SimulatorHandshake } from './simulator-connection.js';
export * from './simulator-options.js';
export * from './speech-synthesizer.js';
export { g711ToPcm24k, pcm24kToG711, G711_SAMPLE_RATE, type G711Law } from './audio-codec.js';
