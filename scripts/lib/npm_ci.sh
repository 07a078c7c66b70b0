# shellcheck shell=bash
# npm_ci_if_changed: `npm ci` in the current folder (an npm package of the tests: tests/client/,
# tests/browser/) only when node_modules is missing or package.json or package-lock.json changed
# since the last install (their digest is kept in node_modules/.installed-lock-sha256). Install
# scripts are not run: no package of ours needs one, and none may download a browser.
npm_ci_if_changed() {
  local lock_digest installed_digest_file=node_modules/.installed-lock-sha256
  lock_digest=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
  if [[ ! -f "$installed_digest_file" || "$(cat "$installed_digest_file")" != "$lock_digest" ]]; then
    npm ci --no-audit --no-fund --ignore-scripts
    echo "$lock_digest" >"$installed_digest_file"
  fi
}
