// npm start [-- APP_DIR]: builds the app (default src/, the spec's example; or a folder with a
// main.ts, such as examples/dashboard) into build/app.js and its www/ into build/www, and serves
// it on this machine through host/serve.ts, as a board would (Storage holding build/www).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildApp, compile, root } from './build.mjs';

const appDir = process.argv[2] || '';
compile();
await buildApp(appDir);
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'host/serve.ts'), join(root, 'build/app.js')],
  { stdio: 'inherit', cwd: root });
child.on('exit', (code) => process.exit(code ?? 1));
