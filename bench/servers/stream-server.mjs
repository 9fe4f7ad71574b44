// Throughput server (its own process): a loopback WebSocket server that, once a connection has sent
// its first message (Parley's and the peer's session.update, the baseline's hello), sends the V2
// stream as fast as the client takes it. The number of frames comes from the `frames` query
// parameter; the last frame is the end marker.
//
// So that the server is never what limits a client, it does the opening handshake itself (RFC 6455)
// and writes prebuilt wire bytes: the frames of one stream cycle are encoded once (unmasked text
// frames, as a server sends them) into one Buffer, and the stream is written in large slices of it
// with socket back-pressure ('drain'). Client frames are read and discarded.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { buildEndFrame, buildThroughputCycle } from '../lib/frames.mjs';
import { childGuard, tell } from '../lib/proc.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
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

const server = createServer((request, response) => {
  response.writeHead(426, { 'content-type': 'text/plain' });
  response.end('WebSocket only');
});

const sockets = new Set();

server.on('upgrade', (request, socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  const key = request.headers['sec-websocket-key'];
  if (typeof key !== 'string') {
    socket.destroy();
    return;
  }
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.setNoDelay(true);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const query = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
  const total = Math.max(1, Number.parseInt(query.get('frames') ?? '1000', 10));
  let started = false;
  socket.on('data', () => {
    if (started) return;
    started = true;
    stream(socket, total);
  });
  socket.on('error', () => undefined);
});

server.listen(0, '127.0.0.1', () => {
  void tell({ type: 'ready', port: server.address().port });
});

childGuard(() => {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
});
