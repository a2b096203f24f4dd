/**
 * postinstall: make dev-only native test oracles (TA-Lib via `talib`, Tulip via `tulind`) load under the
 * project's own Node (the `node-<os>-<cpu>` optional dependency, Node 24) when npm itself ran on an older
 * system Node and compiled them against that Node's ABI. Rebuilds against the bundled Node's headers; never
 * downloads anything. Failing here is not fatal: the oracle tests report why they cannot load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const binNode = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
if (!existsSync(binNode)) {
  console.log('[postinstall] no bundled node in node_modules/.bin; using the system node');
  process.exit(0);
}
const nodeExe = realpathSync(binNode);
const nodeDir = resolve(dirname(nodeExe), '..');
// npm exports its own config to lifecycle scripts (npm_config_nodedir=/usr on these machines, the system Node's
// headers); node-gyp reads it and would build against the wrong ABI, so point it at the bundled Node too.
const env = {
  ...process.env,
  PATH: `${dirname(nodeExe)}:${process.env.PATH ?? ''}`,
  npm_config_nodedir: nodeDir,
  NODEDIR: nodeDir,
};

function loads(pkg) {
  const r = spawnSync(nodeExe, ['-e', `require(${JSON.stringify(pkg)})`], { cwd: root, env, encoding: 'utf8' });
  return r.status === 0;
}

function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const candidates = [join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try {
    const npmCli = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
    candidates.push(join(npmCli, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    /* ignore */
  }
  return candidates.find((c) => existsSync(c));
}

const gyp = findNodeGyp();

for (const pkg of ['talib', 'tulind']) {
  const dir = join(root, 'node_modules', pkg);
  if (!existsSync(dir)) continue;
  if (loads(pkg)) {
    console.log(`[postinstall] ${pkg} loads under ${nodeExe}`);
    continue;
  }
  if (!gyp) {
    console.log(`[postinstall] ${pkg} does not load and node-gyp was not found; its oracle tests will say so`);
    continue;
  }
  const args = [gyp, 'rebuild', `--nodedir=${nodeDir}`];
  if (pkg === 'tulind') {
    // tulind is packaged with node-pre-gyp: build straight into the folder node-pre-gyp resolves.
    const find = spawnSync(
      nodeExe,
      ['-e', "console.log(require('@mapbox/node-pre-gyp').find(require('path').resolve('package.json')))"],
      { cwd: dir, env, encoding: 'utf8' },
    );
    const modulePath = dirname(find.stdout.trim());
    args.push('--module_name=tulind', `--module_path=${modulePath}`);
  }
  if (pkg === 'talib' && !existsSync(join(dir, 'src', 'lib', 'lib'))) {
    // TA-Lib's C library is built by the package's own install script; run it if npm skipped it.
    spawnSync(nodeExe, ['./src/lib/build.js'], { cwd: dir, env, stdio: 'inherit' });
  }
  const r = spawnSync(nodeExe, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`[postinstall] rebuilt ${pkg} for ${nodeExe}: ${r.status === 0 && loads(pkg) ? 'ok' : 'FAILED'}`);
}
