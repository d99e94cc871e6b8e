// npm start: serves a bundle (build/app.js by default) on this machine, as a board would, its
// Storage holding a folder of built assets (the second argument; build/www when it exists).
//   node --import tsx host/serve.ts [BUNDLE] [ASSETS_FOLDER]
import { existsSync, readFileSync } from 'node:fs';
import { runBundle } from './board';

const file = process.argv[2] || 'build/app.js';
const storage = process.argv[3] || (existsSync('build/www') ? 'build/www' : undefined);
const portBase = process.env.HTTPSRV_PORT_BASE ? Number(process.env.HTTPSRV_PORT_BASE) : 8000;

runBundle(readFileSync(file, 'utf8'), file, {
  portBase,
  storage,
  onListen(port, hostPort) {
    const mapped = port == hostPort ? ''
      : ` (the app's port ${port}, mapped to ${hostPort}: ports below 1024 need privileges here)`;
    console.log(`${file} serving on http://localhost:${hostPort}/${mapped}` +
      (storage ? `, Storage holding ${storage}` : ''));
  }
});
