// The two ends of bench/network.ts, as a plain Node script so it can run inside another netns
// (`ip netns exec NS node net-client.mjs …`). Prints one JSON line: { ms: [...] }.
//   serve ADDR TCP_PORT HTTP_PORT   a sink for pushes and an HTTP server answering "ok"
//   push ADDR PORT MIB              writes MIB MiB, then waits for the receiver's byte count
//   get ADDR PORT N                 N sequential HTTP/1.0 GETs, each on a new connection
import http from 'node:http';
import net from 'node:net';

const [mode, addr, port, arg] = process.argv.slice(2);

if (mode === 'serve') {
  // Answers with the byte count, as `nc -e wc -c` does in the pod.
  net.createServer((s) => {
    let n = 0;
    s.on('data', (d) => (n += d.length)).on('end', () => s.end(`${n}\n`));
  }).listen(Number(port), addr);
  http.createServer((_req, res) => res.end('ok\n')).listen(Number(arg), addr, () => console.log('listening'));
} else if (mode === 'push') {
  const chunk = Buffer.alloc(64 * 1024, 120);
  const started = performance.now();
  const socket = net.connect(Number(port), addr, () => {
    let left = Number(arg) * 16;
    const write = () => {
      while (left > 0) {
        left -= 1;
        if (!socket.write(chunk)) return void socket.once('drain', write);
      }
      socket.end();
    };
    write();
  });
  let reply = '';
  socket.on('data', (d) => (reply += d)); // the receiver's byte count, once it read everything
  socket.on('close', () => console.log(JSON.stringify({ ms: [performance.now() - started], reply: reply.trim() })));
} else if (mode === 'get') {
  const ms = [];
  for (let i = 0; i < Number(arg); i++) {
    const started = performance.now();
    await new Promise((resolve, reject) => {
      http.get({ host: addr, port: Number(port), path: '/index.html', agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
    ms.push(performance.now() - started);
  }
  console.log(JSON.stringify({ ms: ms.slice(1) })); // the first one pays for ARP/ND
}
