import { RealtimeSimulator } from '@parley/testkit';
import { WebSocket } from 'ws';

const simulator = new RealtimeSimulator({ protocol: 'v2', tls: true, speed: 20 });
const { url } = await simulator.start(); // https://127.0.0.1:<port>
const socket = new WebSocket(`${url.replace('https', 'wss')}/v1/realtime`, { ca: simulator.certificate });
socket.on('open', () => socket.close());
socket.on('close', () => void simulator.close());
