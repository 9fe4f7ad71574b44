// Throughput server (its own process): a loopback WebSocket server that, once a connection has sent
// its first message (Parley's and the peer's session.update, the baseline's hello), sends the V2
// stream as fast as the client takes it. The number of frames comes from the `frames` query
// parameter; the last frame is the end marker.
//
// So that the server is never what limits a client, it does the opening handshake itself (RFC 6455)
// and writes prebuilt wire bytes: the frames of one stream cycle are encoded once (unmasked text
// frames, as a server sends them) into one Buffer, and the stream is written in large slices of it
// with socket back-pressure ('drain'). Client frames are read and discarded.
import { buildEndFrame, buildThroughputCycle } from '../lib/frames.mjs';
import { serveRawWebSocket } from '../lib/raw-websocket-server.mjs';

/** Frames per write (about 64 KB of wire bytes with the 70 % audio mix). */
const FRAMES_PER_WRITE = 48;

/** One unmasked text frame (FIN, opcode 1) around `payload`. */
function wireFrame(payload) {
  const length = payload.length;
  let header;
  if (length < 126) {
    header = Buffer.from([0x81, length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

const cycleFrames = buildThroughputCycle().map(wireFrame);
const cycle = Buffer.concat(cycleFrames);
/** offsets[i] = start of frame i in `cycle`; offsets[length] = cycle.length. */
const offsets = [0];
for (const frame of cycleFrames) offsets.push(offsets[offsets.length - 1] + frame.length);
const endFrame = wireFrame(buildEndFrame());

/** Writes frames [0, total) of the stream (the last one is the end marker), honouring back-pressure. */
function stream(socket, total) {
  let index = 0;
  const pump = () => {
    while (index < total - 1) {
      const start = index % cycleFrames.length;
      const count = Math.min(FRAMES_PER_WRITE, cycleFrames.length - start, total - 1 - index);
      index += count;
      const ok = socket.write(cycle.subarray(offsets[start], offsets[start + count]));
      if (!ok) {
        socket.once('drain', pump);
        return;
      }
    }
    if (index === total - 1) {
      index += 1;
      socket.write(endFrame);
    }
  };
  pump();
}

serveRawWebSocket((socket, total) => {
  let started = false;
  socket.on('data', () => {
    if (started) return;
    started = true;
    stream(socket, total);
  });
});
