export * from './demo-model.js';
export * from './energy-vad.js';
export * from './realtime-simulator.js';
export type { SimulatorConnection, SimulatorHandshake } from './simulator-connection.js';
export * from './simulator-options.js';
export * from './speech-synthesizer.js';
