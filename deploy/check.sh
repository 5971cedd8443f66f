#!/usr/bin/env bash
# Static checks of the deployment files; needs no Docker engine, database or network.
#
#   deploy/check.sh            run every check whose tool is installed; say what is missing
#   deploy/check.sh --strict   a missing tool counts as a failure
#
# Checks:
#   compose   docker compose config -q              (Docker Compose v2 CLI plugin)
#   yaml      every YAML file parses                 (python3 with PyYAML)
#   shell     bash -n / shellcheck on the scripts
#   k8s       kubectl kustomize deploy/k8s renders   (kubectl)
#   nginx     nginx -t on deploy/nginx/dibao.conf with a throw-away certificate (nginx, openssl)
#   docker    hadolint deploy/Dockerfile             (hadolint)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1

strict=0
[[ "${1:-}" == "--strict" ]] && strict=1

passed=0 failed=0 skipped=0
pass() { echo "PASS  $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1"; failed=$((failed + 1)); }
skip() { echo "SKIP  $1"; skipped=$((skipped + 1)); }
have() { command -v "$1" >/dev/null 2>&1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- compose ---------------------------------------------------------------------------------
compose=()
if have docker && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif have docker-compose && docker-compose version 2>/dev/null | grep -q 'v2\.'; then
  compose=(docker-compose)
fi
if ((${#compose[@]})); then
  # An empty env file so that a developer's .env cannot hide a missing default.
  : >"$tmp/empty.env"
  if out="$("${compose[@]}" --env-file "$tmp/empty.env" -f docker-compose.yml config -q 2>&1)"; then
    pass "compose: ${compose[*]} config -q ($("${compose[@]}" version --short 2>/dev/null))"
  else
    echo "$out"
    fail "compose: ${compose[*]} config -q"
  fi
else
  skip "compose: Docker Compose v2 is not installed, so docker-compose.yml was not validated by Compose.
      'docker --version' alone is only the client; the Compose v2 CLI plugin is a separate program.
      Install one of:
        - Debian/Ubuntu with Docker's apt repository: apt-get install docker-compose-plugin
        - from source with Go (no engine needed for 'config'):
            go mod download -json github.com/docker/compose/v2@v2.40.3   # prints its Dir
            cp -r <Dir> /tmp/compose && chmod -R u+w /tmp/compose && cd /tmp/compose
            CGO_ENABLED=0 go build -o ~/.docker/cli-plugins/docker-compose ./cmd
          ('go install ...@version' refuses the module because its go.mod has exclude directives.)
      (Debian's own 'docker-compose' package is the old v1 and does not understand this file's
      'name:' and 'depends_on.condition' the same way; it is not used here.)"
fi

# --- yaml ------------------------------------------------------------------------------------
yaml_files=(docker-compose.yml deploy/k8s/*.yaml)
if have python3 && python3 -c 'import yaml' 2>/dev/null; then
  if python3 - "${yaml_files[@]}" <<'PY'
import sys, yaml
bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        if not docs:
            raise ValueError("no YAML documents")
    except Exception as e:  # report every broken file, not just the first
        print(f"      {path}: {e}")
        bad += 1
sys.exit(1 if bad else 0)
PY
  then pass "yaml: ${#yaml_files[@]} files parse"
  else fail "yaml: parse errors above"
  fi
else
  skip "yaml: python3 with PyYAML not found (apt-get install python3-yaml)"
fi

# --- shell -----------------------------------------------------------------------------------
scripts=(deploy/check.sh deploy/postgres/init/*.sh)
ok=1
for s in "${scripts[@]}"; do bash -n "$s" || ok=0; done
if ((ok)); then pass "shell: bash -n ${scripts[*]}"; else fail "shell: bash -n"; fi
for s in deploy/postgres/init/*.sh; do
  [[ -x "$s" ]] || fail "shell: $s is not executable (the postgres image sources it instead of running it)"
done
if have shellcheck; then
  if shellcheck "${scripts[@]}"; then pass "shell: shellcheck"; else fail "shell: shellcheck"; fi
else
  skip "shell: shellcheck not installed (apt-get install shellcheck)"
fi

# --- k8s -------------------------------------------------------------------------------------
if have kubectl; then
  if kubectl kustomize deploy/k8s >"$tmp/k8s.yaml" 2>"$tmp/k8s.err"; then
    pass "k8s: kubectl kustomize deploy/k8s renders $(grep -c '^kind:' "$tmp/k8s.yaml") objects"
  else
    cat "$tmp/k8s.err"
    fail "k8s: kubectl kustomize deploy/k8s"
  fi
else
  skip "k8s: kubectl not installed (only the YAML syntax was checked)"
fi

# --- nginx -----------------------------------------------------------------------------------
if have nginx && have openssl; then
  mkdir -p "$tmp/nginx/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=dibao.example.gov.cn \
    -keyout "$tmp/nginx/privkey.pem" -out "$tmp/nginx/fullchain.pem" >/dev/null 2>&1
  sed -e "s#/etc/nginx/tls/dibao.example.gov.cn/#$tmp/nginx/#g" \
      -e "s#/var/log/nginx/#$tmp/nginx/logs/#g" \
      deploy/nginx/dibao.conf >"$tmp/nginx/dibao.conf"
  cat >"$tmp/nginx/nginx.conf" <<EOF
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events {}
http {
    access_log off;
    include $tmp/nginx/dibao.conf;
}
EOF
  nginx_err=()
  nginx -h 2>&1 | grep -q -- ' -e ' && nginx_err=(-e "$tmp/nginx/logs/error.log")
  if out="$(nginx "${nginx_err[@]}" -t -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>&1)"; then
    pass "nginx: nginx -t ($(nginx -v 2>&1 | sed 's/.*version: //'))"
  else
    echo "$out"
    fail "nginx: nginx -t"
  fi
else
  skip "nginx: nginx or openssl not installed (apt-get install nginx-light openssl)"
fi

# --- Dockerfile ------------------------------------------------------------------------------
if have hadolint; then
  if hadolint deploy/Dockerfile; then pass "docker: hadolint"; else fail "docker: hadolint"; fi
else
  skip "docker: hadolint not installed; deploy/Dockerfile was not linted"
fi

echo "check.sh: $passed passed, $failed failed, $skipped skipped"
if ((failed)) || ((strict && skipped)); then exit 1; fi
exit 0
