import { RealtimeSimulator } from '@parley/testkit';

const simulator = new RealtimeSimulator({ protocol: 'v2', replies: [[], [{ type: 'response.created', response: { id: 'r1' } }]] });
const { url } = await simulator.start(); // give Parley realtime.url = url
console.log(`simulator on ${url}`);
await simulator.close();
