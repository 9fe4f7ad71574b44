// Outbound sink (its own process): a loopback WebSocket server that counts the frames a client
// sends and, when it has seen the number given in the `frames` query parameter, answers with one
// V2 `response.done` of response `resp_sink_done` (the client stops its clock when that arrives).
//
// So that the server is never what limits a client, it does the opening handshake itself (RFC 6455)
// and reads only the frame headers: payloads are skipped, never unmasked, copied or parsed.
import { serveRawWebSocket } from '../lib/raw-websocket-server.mjs';

const DONE = Buffer.from('{"type":"response.done","event_id":"event_sink","response":{"id":"resp_sink_done"}}');
const DONE_FRAME = Buffer.concat([Buffer.from([0x81, DONE.length]), DONE]);

/** Counts the data frames in a client's byte stream, calling `onFrame` after each. */
function frameCounter(onFrame) {
  let skip = 0; // payload bytes of the current frame still to come
  let pending = Buffer.alloc(0); // a frame header split across chunks
  return (chunk) => {
    let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    let at = 0;
    for (;;) {
      if (skip > 0) {
        const taken = Math.min(skip, data.length - at);
        skip -= taken;
        at += taken;
        if (skip > 0) return;
      }
      if (at >= data.length) return;
      if (data.length - at < 2) break;
      const opcode = data[at] & 0x0f;
      const masked = (data[at + 1] & 0x80) !== 0;
      let length = data[at + 1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (masked) header += 4;
      if (data.length - at < header) break;
      at += header;
      skip = length;
      if (opcode === 0x1 || opcode === 0x2) onFrame();
    }
    pending = Buffer.from(data.subarray(at));
  };
}

serveRawWebSocket((socket, total) => {
  let seen = 0;
  socket.on(
    'data',
    frameCounter(() => {
      seen += 1;
      if (seen === total) socket.write(DONE_FRAME);
    }),
  );
});
