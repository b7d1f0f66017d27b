#!/usr/bin/env bash
# A client of the petitionkit HTTP API with nothing but bash and curl (docs/http.md): what a Java or
# .NET system does with its own HTTP client.  It registers a petition, reads the routing advice,
# refers the case by the office's routing rules, and reads the case back.
#
#   PETITIONKIT_URL=http://127.0.0.1:8080 PETITIONKIT_TOKEN=pk_... bash http-client.sh
set -euo pipefail

BASE=${PETITIONKIT_URL:-http://127.0.0.1:8080}
TOKEN=${PETITIONKIT_TOKEN:?set PETITIONKIT_TOKEN to an API key (petitionkit api-key create) or an SSO token}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every POST that changes something carries a fresh Idempotency-Key; a retry re-sends the same one.
new_key() { printf 'curl-%s-%s%s' "$(date +%s%N)" "$RANDOM" "$RANDOM"; }
# The value of one response header (curl -D wrote the headers to a file).
header() { tr -d '\r' <"$2" | sed -n "s/^$1: *//Ip" | tail -n 1; }

call() {  # call METHOD PATH [curl options...]: fails on any status >= 400, printing the problem
  local method=$1 path=$2
  shift 2
  curl --silent --show-error --fail-with-body --max-time 30 -X "$method" "$BASE$path" \
    -H "Authorization: Bearer $TOKEN" -H "Accept-Language: zh-CN" -D "$work/headers" "$@"
}

received=$(date -u +%Y-%m-%dT%H:%M:%SZ)  # today, now
call POST /petitions -o "$work/registration.json" \
  -H "Content-Type: application/json" -H "Idempotency-Key: $(new_key)" \
  --data-binary @- <<JSON
{
  "channel": "online",
  "received_at": "$received",
  "kind": "claim",
  "subject": "拖欠工资问题",
  "content": "在某工地务工，被拖欠工资三个月。",
  "category": "labour",
  "region_code": "330199",
  "petitioners": [{"name": "张三", "phone": "13800138000"}]
}
JSON
case_path=$(header location "$work/headers")  # /cases/<id>
etag=$(header etag "$work/headers")          # the case's version, for If-Match
echo "registered: $case_path (ETag $etag)"

call GET "$case_path/routing" -o "$work/routing.json"
echo "routing advice: $(tr -d '\n' <"$work/routing.json" | cut -c1-160)"

call POST "$case_path/referrals" -o "$work/referred.json" \
  -H "Content-Type: application/json" -H "If-Match: $etag" -H "Idempotency-Key: $(new_key)" \
  --data-binary '{"note": "请依法办理并按期报告"}'
echo "referred: ETag $(header etag "$work/headers")"

call GET "$case_path" -o "$work/case.json"
grep -o '"state":"[a-z_]*"' "$work/case.json"
