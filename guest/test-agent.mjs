// Stand-in guest agent for developing and testing the guest itself (never for pods): runs shell
// commands sent over the agent port as JSON lines {id, sh} and answers {id, code, out}.
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';

const port = await open(process.env.PODVISOR_AGENT_PORT, 'r+');
const buffer = Buffer.alloc(65536);
let pending = '';
console.log('test-agent: ready');

async function answer(line) {
  const { id, sh } = JSON.parse(line);
  const reply = await new Promise((resolve) =>
    execFile('/bin/sh', ['-c', sh], { maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
      resolve({ id, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
    ),
  );
  await port.write(JSON.stringify(reply) + '\n');
}

for (;;) {
  const { bytesRead } = await port.read(buffer, 0, buffer.length, null);
  // 0 bytes means no host is connected: poll until one is.
  if (bytesRead === 0) { await new Promise((r) => setTimeout(r, 100)); continue; }
  pending += buffer.toString('utf8', 0, bytesRead);
  let newline;
  while ((newline = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (line.trim()) answer(line).catch((err) => console.error('test-agent:', err));
  }
}
