// A loopback WebSocket server for the bench's server processes that does the opening handshake
// itself (RFC 6455, section 4.2.2) and hands over the raw socket, so that what the server does per
// frame is exactly what its caller writes (no library framing, masking or parsing).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { childGuard, tell } from './proc.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Serves WebSocket upgrades on 127.0.0.1 (a free port), tells the parent `{type:'ready', port}`,
 * and destroys every socket when the parent stops the process. `onConnection(socket, frames)` gets
 * each upgraded socket and the `frames` query parameter (default 1000, at least 1); socket errors
 * are ignored (a client going away mid-run is normal here).
 */
export function serveRawWebSocket(onConnection) {
  const server = createServer((request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' });
    response.end('WebSocket only');
  });
  const sockets = new Set();
  server.on('upgrade', (request, socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    socket.setNoDelay(true);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const query = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
    onConnection(socket, Math.max(1, Number.parseInt(query.get('frames') ?? '1000', 10)));
  });
  server.listen(0, '127.0.0.1', () => {
    void tell({ type: 'ready', port: server.address().port });
  });
  childGuard(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  });
}
