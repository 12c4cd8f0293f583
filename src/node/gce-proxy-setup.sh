#!/bin/bash
# gce-proxy-setup.sh: GCE startup script for Dataproc nodes behind a Secure Web
# Proxy. Points the OS, package managers and tools at the proxy, trusts the
# proxy's TLS-inspection CA, and proves the result with a self-test. It
# reconciles: every managed file is computed from metadata and rewritten only
# when its content differs, so running it at every boot is safe.
# Files, metadata attributes and step order: docs/boot-script.md.
set -euo pipefail
export LC_ALL=C

readonly SCRIPT_NAME="gce-proxy-setup"
readonly MARK="Managed by dpgce gce-proxy-setup.sh; rewritten at every boot."
readonly DEFAULT_NO_PROXY=(localhost 127.0.0.1 ::1 169.254.169.254
  metadata.google.internal .internal .googleapis.com)
readonly DEFAULT_TEST_URL="https://pypi.org/simple/pip/"
readonly CA_NAME="dpgce-proxy-ca"
readonly JAVA_STOREPASS="changeit"
readonly JAVA_STATE="/var/lib/dpgce/java-keystores.state"
readonly JAVA_OPTIONS=(-J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1)
readonly LOCK_FILE="/run/dpgce-proxy-setup.lock"
readonly PROXY_UNITS=(docker containerd)
readonly APT_CONF="/etc/apt/apt.conf.d/99dpgce-proxy"
readonly APT_LOCK_TIMEOUT_SECONDS=300
readonly DNF_CONF="/etc/dnf/dnf.conf"
readonly ENVIRONMENT_FILE="/etc/environment"
readonly PROFILE_SCRIPT="/etc/profile.d/dpgce-proxy.sh"
readonly MANAGER_DROPIN="/etc/systemd/system.conf.d/dpgce-proxy.conf"
readonly PIP_CONF="/etc/pip.conf"
readonly CONDA_CONF="/etc/conda/condarc.d/dpgce-proxy.yaml"
readonly DIRMNGR_CONF="/etc/gnupg/dirmngr.conf"
readonly BOTO_CONF="/etc/boto.cfg"
readonly GCLOUD_SDK_ROOTS=(/usr/lib/google-cloud-sdk /usr/share/google-cloud-sdk
  /snap/google-cloud-sdk/current)
readonly MANAGED_ENV_KEYS=(http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY
  NO_PROXY REQUESTS_CA_BUNDLE SSL_CERT_FILE PIP_CERT)
readonly METADATA_REQUEST_SECONDS=5
readonly PROBE_ATTEMPTS=3
readonly STEPS=(read-metadata fetch-ca proxy-check package-managers trust-store
  java environment tools systemd self-test)

# Set once by main/read_metadata, then read-only in spirit.
WORK_DIR=""
METADATA_ROOT=""
METADATA_DEADLINE=30
STORAGE_ENDPOINT=""
OS_ID="" OS_VERSION="" OS_FAMILY=""
OS_BUNDLE="" CA_ANCHOR=""
HTTP_PROXY_URL="" HTTPS_PROXY_URL="" NO_PROXY_LIST="" TEST_URL="" PEM_URI=""
CA_PEM="" CA_FP=""
METADATA_VALUE=""
CHANGED=()
STEP_NUMBER=0

# --- logging: one formatter, errors and warnings to stderr ------------------

emit() {
  local level=$1
  shift
  printf '%(%Y-%m-%dT%H:%M:%S%z)T %s %s: %s\n' -1 "$SCRIPT_NAME" "$level" "$*"
}
info() { emit INFO "$@"; }
warn() { emit WARNING "$@" >&2; }
error() { emit ERROR "$@" >&2; }
die() {
  error "$@"
  exit 1
}

step() {
  STEP_NUMBER=$((STEP_NUMBER + 1))
  info "step ${STEP_NUMBER}/${#STEPS[@]}: $1"
}

# --- managed files ------------------------------------------------------------

# install_file TARGET SOURCE: make TARGET hold SOURCE's bytes, atomically and
# only when they differ. Logs the verdict; returns 0 if TARGET changed.
install_file() {
  local target=$1 source=$2 mode=0644 tmp
  if [ -f "$target" ] && cmp -s "$target" "$source"; then
    info "$target: unchanged"
    return 1
  fi
  [ -f "$target" ] && mode=$(stat -c %a "$target")
  mkdir -p "$(dirname "$target")"
  tmp=$(mktemp "$(dirname "$target")/.$(basename "$target").XXXXXX")
  cat "$source" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$target"
  CHANGED+=("$target")
  info "$target: changed"
}

# remove_file TARGET: delete a file this script used to manage.
remove_file() {
  [ -e "$1" ] || return 1
  rm -f "$1"
  CHANGED+=("$1")
  info "$1: removed"
}

# ini_set FILE SECTION KEY SEP VALUE: print FILE with KEY set once in SECTION,
# right after its first header. Without the header, [SECTION] becomes line 1
# (keys above any header then belong to it, as dnf reads them).
ini_set() {
  local file=$1 section=$2 key=$3 sep=$4 value=$5 has=0
  [ -f "$file" ] || file=/dev/null
  grep -Eq "^[[:space:]]*\[${section}\][[:space:]]*$" "$file" && has=1
  awk -v section="$section" -v key="$key" -v line="${key}${sep}${value}" \
    -v has="$has" '
    function header(s) {
      if (s !~ /^[ \t]*\[[^]]*\][ \t]*$/) return ""
      gsub(/[ \t\[\]]/, "", s)
      return s
    }
    BEGIN { cur = ""; if (!has) { print "[" section "]"; print line; cur = section; done = 1 } }
    {
      h = header($0)
      if (h != "") {
        cur = h; print
        if (h == section && !done) { print line; done = 1 }
        next
      }
      if (cur == section && $0 ~ ("^[ \t]*" key "[ \t]*=")) next
      print
    }' "$file"
}

# ini_drop_keys FILE SECTION REGEX: print FILE without SECTION keys matching REGEX.
ini_drop_keys() {
  awk -v section="$2" -v keys="$3" '
    /^[ \t]*\[[^]]*\][ \t]*$/ { cur = $0; gsub(/[ \t\[\]]/, "", cur) }
    cur == section && $0 ~ ("^[ \t]*(" keys ")[ \t]*[=:]") { next }
    { print }' "$1"
}

# --- metadata -----------------------------------------------------------------

# metadata_get PATH: set METADATA_VALUE; status 1 when the key does not exist.
# Retries the metadata server's brief 503s and timeouts until the deadline.
# Runs in the main shell (never in $(...)) so that die stops the script.
metadata_get() {
  local path=$1
  local url="${METADATA_ROOT}/${path}" out="$WORK_DIR/metadata.out"
  local deadline=$((SECONDS + METADATA_DEADLINE)) delay=0.2 status budget cause
  METADATA_VALUE=""
  while :; do
    budget=$((deadline - SECONDS))
    ((budget > METADATA_REQUEST_SECONDS)) && budget=$METADATA_REQUEST_SECONDS
    ((budget < 1)) && budget=1
    status=$(curl --noproxy '*' -sS --max-time "$budget" -H 'Metadata-Flavor: Google' \
      -o "$out" -w '%{http_code}' "$url" 2>"$WORK_DIR/metadata.err") || status=000
    case $status in
      200)
        METADATA_VALUE=$(<"$out")
        return 0
        ;;
      404) return 1 ;;
      000 | 429 | 500 | 502 | 503 | 504)
        cause="HTTP $status"
        [ "$status" = 000 ] && cause=$(sed -n '1s/^curl: ([0-9]*) //p' "$WORK_DIR/metadata.err")
        if ((SECONDS >= deadline)); then
          die "metadata server: no answer for $url within ${METADATA_DEADLINE} s (last: $cause)"
        fi
        info "metadata server: $cause for $path; retrying in ${delay} s"
        sleep "$delay"
        [ "$delay" = 0.2 ] && delay=0.5 || delay=1
        ;;
      *) die "metadata server: HTTP $status for $url" ;;
    esac
  done
}

# attribute NAME: the instance attribute, else the project attribute, else "".
attribute() {
  metadata_get "instance/attributes/$1" || metadata_get "project/attributes/$1" || true
}

# parse_proxy ATTRIBUTE VALUE: print http://host:port or die naming ATTRIBUTE.
parse_proxy() {
  local name=$1 value=$2 rest host port
  rest=${value%/}
  case $rest in
    http://*) rest=${rest#http://} ;;
    *://*) die "metadata $name=$value: scheme ${rest%%://*}:// is not supported (use host:port or http://host:port)" ;;
  esac
  [[ $rest == *@* ]] && die "metadata $name=$value: credentials in the proxy address are not supported"
  [[ $rest =~ ^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]+)$ ]] ||
    die "metadata $name=$value: expected host:port or http://host:port (the port is required)"
  host=${BASH_REMATCH[1]}
  port=${BASH_REMATCH[3]}
  ((10#$port >= 1 && 10#$port <= 65535)) || die "metadata $name=$value: port $port is out of range"
  printf 'http://%s:%d\n' "$host" "$((10#$port))"
}

# bypass_entry ENTRY: print the entry in the form curl, Python and Go share, or
# warn and print nothing when it cannot be expressed that way.
bypass_entry() {
  local entry=${1,,} prefix
  [[ $entry == '*.'* && ${entry:2} != *'*'* ]] && entry=".${entry:2}"
  if [[ $entry =~ ^(([0-9]{1,3}\.){1,3})\*$ ]]; then
    prefix=${BASH_REMATCH[1]}
    local dots=${prefix//[^.]/} cidr=$prefix
    while [[ ${cidr//[^.]/} != ... ]]; do cidr+="0."; done
    warn "no-proxy entry '$1' dropped: wildcards are not understood by curl, Python or Go; use ${cidr}0/$((${#dots} * 8))"
    return 0
  fi
  if [[ $entry == *'*'* ]]; then
    warn "no-proxy entry '$1' dropped: wildcards are not understood by curl, Python or Go; cluster hosts are covered by '.internal' (their GCE DNS names), or list a domain suffix ('.example.com') or the subnet range (10.10.0.0/24)"
    return 0
  fi
  if ! [[ $entry =~ ^[a-z0-9.:/_-]+$ ]]; then
    warn "no-proxy entry '$1' dropped: unexpected characters"
    return 0
  fi
  printf '%s\n' "$entry"
}

# render_no_proxy ATTRIBUTE_VALUE: the environment form (comma separated): the
# fixed defaults, then the attribute's names, then its addresses, once each.
render_no_proxy() {
  local entry out="" item
  local -A seen=()
  local -a items=() names=() addresses=()
  read -ra items <<<"${1//,/ }"
  for item in "${items[@]}"; do
    entry=$(bypass_entry "$item")
    if [[ $entry =~ ^[0-9.]+(/[0-9]+)?$ || $entry == *:* ]]; then
      addresses+=("$entry")
    elif [ -n "$entry" ]; then
      names+=("$entry")
    fi
  done
  for entry in "${DEFAULT_NO_PROXY[@]}" "${names[@]}" "${addresses[@]}"; do
    [ -n "${seen[$entry]:-}" ] && continue
    seen[$entry]=1
    out+="${out:+,}$entry"
  done
  printf '%s\n' "$out"
}

read_metadata() {
  local http https no_proxy_attr test_url pem
  attribute http-proxy
  http=$METADATA_VALUE
  attribute https-proxy
  https=$METADATA_VALUE
  attribute no-proxy
  no_proxy_attr=$METADATA_VALUE
  attribute http-proxy-pem-uri
  pem=$METADATA_VALUE
  attribute proxy-test-url
  test_url=$METADATA_VALUE

  [ -n "$http" ] || die "metadata http-proxy is not set on the instance or the project"
  HTTP_PROXY_URL=$(parse_proxy http-proxy "$http")
  HTTPS_PROXY_URL=$HTTP_PROXY_URL
  [ -n "$https" ] && HTTPS_PROXY_URL=$(parse_proxy https-proxy "$https")
  if [ -n "$pem" ] && ! [[ $pem =~ ^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]/.+ ]]; then
    die "metadata http-proxy-pem-uri=$pem: not a gs:// URI (expected gs://BUCKET/OBJECT)"
  fi
  PEM_URI=$pem
  TEST_URL=${test_url:-$DEFAULT_TEST_URL}
  [[ $TEST_URL =~ ^https://[^/?#]+ ]] ||
    die "metadata proxy-test-url=$TEST_URL: must be an https:// URL (the self-test checks the proxy CA)"
  NO_PROXY_LIST=$(render_no_proxy "$no_proxy_attr")

  info "proxy: http $HTTP_PROXY_URL, https $HTTPS_PROXY_URL"
  info "bypass list: $NO_PROXY_LIST"
  info "proxy CA: ${PEM_URI:-none (http-proxy-pem-uri not set)}; self-test URL: $TEST_URL"
}

# --- the proxy CA ---------------------------------------------------------------

urlencode() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

json_message() {
  grep -o '"message"[[:space:]]*:[[:space:]]*"[^"]*"' "$1" 2>/dev/null | head -n 1 |
    sed 's/^"message"[[:space:]]*:[[:space:]]*"//; s/"$//' || true
}

# fetch_ca: download http-proxy-pem-uri from the Cloud Storage JSON API with the
# instance's token, never through the proxy, and accept only a CA certificate.
fetch_ca() {
  local path=${PEM_URI#gs://} bucket object token status url raw="$WORK_DIR/ca.download"
  if [ -z "$PEM_URI" ]; then
    info "no http-proxy-pem-uri: the proxy CA is not managed"
    return 0
  fi
  bucket=${path%%/*}
  object=${path#*/}
  metadata_get instance/service-accounts/default/token || true
  token=$(sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$METADATA_VALUE")
  [ -n "$token" ] || die "http-proxy-pem-uri $PEM_URI: no service account token from the metadata server"
  (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$WORK_DIR/auth.header")

  url="${STORAGE_ENDPOINT}/storage/v1/b/${bucket}/o/$(urlencode "$object")?alt=media"
  status=$(curl --noproxy '*' -sS --max-time 30 --retry 2 -H "@$WORK_DIR/auth.header" \
    -o "$raw" -w '%{http_code}' "$url" 2>"$WORK_DIR/storage.err") ||
    die "http-proxy-pem-uri $PEM_URI: Cloud Storage ($STORAGE_ENDPOINT) not reachable directly: $(head -n 1 "$WORK_DIR/storage.err")"
  [ "$status" = 200 ] ||
    die "http-proxy-pem-uri $PEM_URI: Cloud Storage answered HTTP $status: $(json_message "$raw")"

  openssl x509 -in "$raw" -noout 2>/dev/null ||
    die "http-proxy-pem-uri $PEM_URI: the object is not a PEM certificate"
  openssl x509 -in "$raw" -noout -ext basicConstraints 2>/dev/null | grep -q 'CA:TRUE' ||
    die "http-proxy-pem-uri $PEM_URI: '$(openssl x509 -in "$raw" -noout -subject)' is not a CA certificate (basicConstraints CA:TRUE is missing); refusing to trust it"
  openssl x509 -in "$raw" -noout -checkend 0 >/dev/null ||
    die "http-proxy-pem-uri $PEM_URI: the CA certificate has expired ($(openssl x509 -in "$raw" -noout -enddate))"

  CA_PEM="$WORK_DIR/ca.pem"
  openssl x509 -in "$raw" -out "$CA_PEM"
  CA_FP=$(openssl x509 -in "$CA_PEM" -noout -fingerprint -sha256 | sed 's/^.*=//' | tr '[:lower:]' '[:upper:]')
  info "proxy CA: $(openssl x509 -in "$CA_PEM" -noout -subject), SHA-256 $CA_FP"
}

# --- self-test --------------------------------------------------------------------

# probe LABEL BUNDLE: fetch TEST_URL forced through the proxy (no bypass list),
# verifying TLS against BUNDLE only (an empty CA path keeps curl's compiled-in
# one out). Dies with proxy, URL and cause on failure.
probe() {
  local label=$1 bundle=$2 attempt=1 rc result code seconds cause
  mkdir -p "$WORK_DIR/no-capath"
  while :; do
    rc=0
    result=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --proxy "$HTTPS_PROXY_URL" \
      --noproxy '' --cacert "$bundle" --capath "$WORK_DIR/no-capath" --connect-timeout 5 \
      --max-time 20 "$TEST_URL" 2>"$WORK_DIR/probe.err") || rc=$?
    code=${result%% *}
    seconds=${result##* }
    if ((rc == 0)) && [[ $code == [23]?? ]]; then
      info "$label: $TEST_URL through $HTTPS_PROXY_URL: HTTP $code in $seconds s"
      return 0
    fi
    cause=$(probe_cause "$rc" "$code")
    if ((attempt >= PROBE_ATTEMPTS)) || ! [[ $rc =~ ^(7|28|52)$ ]]; then
      die "$label failed: $TEST_URL through proxy $HTTPS_PROXY_URL: $cause"
    fi
    info "$label: attempt $attempt failed ($cause); retrying in $attempt s"
    sleep "$attempt"
    attempt=$((attempt + 1))
  done
}

probe_cause() {
  local rc=$1 code=$2 msg hint
  msg=$(sed -n 's/^curl: ([0-9]*) //p' "$WORK_DIR/probe.err" | head -n 1)
  case $rc in
    0) hint="HTTP $code (is the host on the proxy's allowlist?)" ;;
    5) hint="the proxy host name does not resolve" ;;
    7) hint="cannot connect to the proxy (is it running, is the firewall open?)" ;;
    28) hint="timed out" ;;
    35 | 60) hint="TLS verification failed (is http-proxy-pem-uri the proxy's CA?)" ;;
    56) hint="the proxy refused the tunnel (is the host on the proxy's allowlist?)" ;;
    *) hint="curl exit $rc" ;;
  esac
  printf '%s%s\n' "$hint" "${msg:+ [curl: $msg]}"
}

# proxy_check: the probe with the trust the node is about to have: the OS
# bundle without the CA installed earlier (it may be the one being replaced),
# plus the CA from metadata.
proxy_check() {
  local candidate="$WORK_DIR/candidate-bundle.pem" old=""
  [ -f "$CA_ANCHOR" ] && old=$(sed '1d;$d' "$CA_ANCHOR" | tr -d '\n')
  : >"$candidate"
  if [ -f "$OS_BUNDLE" ]; then
    awk -v drop="$old" '
      /-----BEGIN CERTIFICATE-----/ { block = $0 "\n"; body = ""; inside = 1; next }
      inside && /-----END CERTIFICATE-----/ {
        inside = 0
        if (drop == "" || body != drop) printf "%s%s\n", block, $0
        next
      }
      inside { block = block $0 "\n"; body = body $0; next }
      { print }' "$OS_BUNDLE" >"$candidate"
  fi
  [ -n "$CA_PEM" ] && cat "$CA_PEM" >>"$candidate"
  probe "proxy check (nothing changed yet)" "$candidate"
}

self_test() {
  local result rc=0
  probe "self-test" "$OS_BUNDLE"
  result=$(curl --noproxy '*' -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 \
    "$STORAGE_ENDPOINT/" 2>"$WORK_DIR/google.err") || rc=$?
  if ((rc == 0)); then
    info "Google APIs: $STORAGE_ENDPOINT reachable without the proxy (HTTP ${result%% *} in ${result##* } s)"
  else
    warn "Google APIs: $STORAGE_ENDPOINT not reachable without the proxy (Private Google Access?): $(head -n 1 "$WORK_DIR/google.err")"
  fi
}

# --- package managers -------------------------------------------------------------

# Hosts of configured apt repositories on *.googleapis.com: fetched DIRECT.
apt_google_hosts() {
  {
    echo storage.googleapis.com
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
      2>/dev/null | grep -Eo 'https?://[A-Za-z0-9.-]+\.googleapis\.com' | sed 's|^.*://||' || true
  } | tr '[:upper:]' '[:lower:]' | sort -u
}

reconcile_apt() {
  local wanted="$WORK_DIR/apt.conf" host
  {
    echo "// $MARK"
    echo "DPkg::Lock::Timeout \"$APT_LOCK_TIMEOUT_SECONDS\";"
    echo "Acquire::http::Proxy \"$HTTP_PROXY_URL\";"
    echo "Acquire::https::Proxy \"$HTTPS_PROXY_URL\";"
    for host in $(apt_google_hosts); do
      echo "Acquire::http::Proxy::$host \"DIRECT\";"
      echo "Acquire::https::Proxy::$host \"DIRECT\";"
    done
  } >"$wanted"
  install_file "$APT_CONF" "$wanted" || true
}

reconcile_dnf() {
  local wanted="$WORK_DIR/dnf.conf" repo tmp sections section
  ini_set "$DNF_CONF" main proxy = "$HTTP_PROXY_URL" >"$wanted"
  install_file "$DNF_CONF" "$wanted" || true

  # Repositories on *.googleapis.com bypass the global proxy.
  for repo in /etc/yum.repos.d/*.repo; do
    [ -f "$repo" ] || continue
    sections=$(awk '/^[ \t]*\[[^]]*\]/ { s = $0; gsub(/[ \t\[\]]/, "", s) }
      /^[ \t]*(baseurl|mirrorlist|metalink)[ \t]*=.*\.googleapis\.com/ { print s }' "$repo" | sort -u)
    [ -n "$sections" ] || continue
    tmp="$WORK_DIR/repo.$$"
    cp "$repo" "$tmp"
    for section in $sections; do
      ini_set "$tmp" "$section" proxy = _none_ >"$tmp.next"
      mv "$tmp.next" "$tmp"
    done
    install_file "$repo" "$tmp" || true
  done
}

reconcile_package_managers() {
  case $OS_FAMILY in
    debian) reconcile_apt ;;
    rhel) reconcile_dnf ;;
  esac
}

# --- trust stores -------------------------------------------------------------------

bundle_has_ca() {
  local body bundle
  [ -f "$OS_BUNDLE" ] || return 1
  body=$(sed '1d;$d' "$CA_PEM" | tr -d '\n')
  bundle=$(tr -d '\n' <"$OS_BUNDLE")
  [[ $bundle == *"$body"* ]]
}

# refresh_trust MODE: rebuild the OS bundle. MODE "fresh" also drops what a
# replaced or removed anchor left behind (Debian keeps stale links otherwise).
refresh_trust() {
  local log="$WORK_DIR/trust.log" rc=0
  case $OS_FAMILY in
    debian)
      if [ "$1" = fresh ]; then update-ca-certificates --fresh; else update-ca-certificates; fi
      ;;
    rhel) update-ca-trust extract ;;
  esac >"$log" 2>&1 || rc=$?
  ((rc == 0)) || die "trust store: refresh failed (exit $rc): $(tail -n 3 "$log" | tr '\n' ' ')"
  info "trust store: $OS_BUNDLE rebuilt"
}

reconcile_trust_store() {
  local existed=0
  [ -f "$CA_ANCHOR" ] && existed=1
  if [ -z "$CA_PEM" ]; then
    if remove_file "$CA_ANCHOR"; then refresh_trust fresh; else info "trust store: unchanged"; fi
    return 0
  fi
  if install_file "$CA_ANCHOR" "$CA_PEM"; then
    if ((existed)); then refresh_trust fresh; else refresh_trust add; fi
  elif ! bundle_has_ca; then
    info "trust store: $OS_BUNDLE lacks the proxy CA"
    refresh_trust fresh
  fi
  bundle_has_ca || die "trust store: $OS_BUNDLE does not contain the proxy CA after the refresh"
}

java_keytool() {
  local candidate
  if command -v keytool >/dev/null; then
    command -v keytool
    return 0
  fi
  for candidate in /usr/lib/jvm/*/bin/keytool; do
    [ -x "$candidate" ] && printf '%s\n' "$candidate" && return 0
  done
  return 1
}

java_keystores() {
  local candidate
  for candidate in /etc/ssl/certs/java/cacerts /etc/pki/java/cacerts \
    /usr/lib/jvm/*/lib/security/cacerts /usr/lib/jvm/*/jre/lib/security/cacerts; do
    if [ -f "$candidate" ]; then readlink -f "$candidate"; fi
  done | sort -u
}

# reconcile_keystore KEYTOOL STORE: one entry with the proxy CA's fingerprint;
# entries of ours (or Debian's hook alias for our anchor) with another
# fingerprint are removed, and so is ours when the hook's entry (added later,
# e.g. after a dpkg lock) holds the same certificate.
reconcile_keystore() {
  local keytool=$1 store=$2 entries alias fp present=0 changed=0 ours=0
  local -a args=("${JAVA_OPTIONS[@]}" -keystore "$store" -storepass "$JAVA_STOREPASS")
  if ! entries=$("$keytool" -list "${args[@]}" 2>/dev/null | awk '
      /Entry,/ { a = $0; sub(/, .*/, "", a) }
      /fingerprint \(SHA-256\)/ { print a "\t" $NF }'); then
    warn "java: cannot read $store with the default password; skipped"
    return 0
  fi
  while IFS=$'\t' read -r alias fp; do
    [ -n "$alias" ] || continue
    if [ -n "$CA_FP" ] && [ "$fp" = "$CA_FP" ]; then
      present=$((present + 1))
      [ "$alias" = "$CA_NAME" ] && ours=1
    elif [ "$alias" = "$CA_NAME" ] || [ "$alias" = "debian:$CA_NAME.pem" ]; then
      "$keytool" -delete -alias "$alias" "${args[@]}" >/dev/null 2>&1 ||
        die "java: cannot delete the stale entry $alias from $store"
      changed=1
    fi
  done <<<"$entries"
  if ((present > 1 && ours)); then
    "$keytool" -delete -alias "$CA_NAME" "${args[@]}" >/dev/null 2>&1 ||
      die "java: cannot delete the duplicate entry $CA_NAME from $store"
    changed=1
  fi
  if [ -n "$CA_FP" ] && ((present == 0)); then
    "$keytool" -importcert -noprompt -trustcacerts -alias "$CA_NAME" -file "$CA_PEM" \
      "${args[@]}" >/dev/null 2>&1 || die "java: import of the proxy CA into $store failed"
    changed=1
  fi
  if ((changed)); then
    CHANGED+=("$store")
    info "$store: changed"
  else
    info "$store: unchanged"
  fi
}

# The JVM costs about half a second per keystore, so a keystore whose bytes
# were already checked against this CA (recorded in JAVA_STATE) is not opened.
reconcile_java() {
  local keytool store stores sum state="$WORK_DIR/java.state"
  stores=$(java_keystores)
  if [ -z "$stores" ] || ! keytool=$(java_keytool); then
    info "java: no JRE keystore found; skipped"
    return 0
  fi
  : >"$state"
  for store in $stores; do
    sum=$(sha256sum "$store")
    if [ -f "$JAVA_STATE" ] && grep -qxF "${sum%% *} ${CA_FP:-none} $store" "$JAVA_STATE"; then
      info "$store: unchanged"
    else
      reconcile_keystore "$keytool" "$store"
      sum=$(sha256sum "$store")
    fi
    printf '%s %s %s\n' "${sum%% *}" "${CA_FP:-none}" "$store" >>"$state"
  done
  if ! cmp -s "$state" "$JAVA_STATE"; then
    mkdir -p "$(dirname "$JAVA_STATE")"
    mv -f "$state" "$JAVA_STATE"
  fi
}

# --- environment ----------------------------------------------------------------------

# env_pairs: KEY=VALUE lines every process should see.
env_pairs() {
  printf '%s\n' "http_proxy=$HTTP_PROXY_URL" "https_proxy=$HTTPS_PROXY_URL" \
    "no_proxy=$NO_PROXY_LIST" "HTTP_PROXY=$HTTP_PROXY_URL" "HTTPS_PROXY=$HTTPS_PROXY_URL" \
    "NO_PROXY=$NO_PROXY_LIST" "REQUESTS_CA_BUNDLE=$OS_BUNDLE" "SSL_CERT_FILE=$OS_BUNDLE" \
    "PIP_CERT=$OS_BUNDLE"
}

reconcile_environment() {
  local wanted="$WORK_DIR/environment" profile="$WORK_DIR/profile.sh" pair
  [ -f "$ENVIRONMENT_FILE" ] && awk -v keys="${MANAGED_ENV_KEYS[*]}" -v mark="# $MARK" '
    BEGIN { n = split(keys, k, " "); for (i = 1; i <= n; i++) drop[k[i]] = 1 }
    $0 == mark { next }
    {
      line = $0; sub(/^[ \t]*export[ \t]+/, "", line)
      name = line; sub(/[ \t]*=.*/, "", name)
      if (index(line, "=") && (name in drop)) next
      print
    }' "$ENVIRONMENT_FILE" >"$wanted"
  { echo "# $MARK"; env_pairs; } >>"$wanted"
  install_file "$ENVIRONMENT_FILE" "$wanted" || true

  {
    echo "# $MARK"
    while IFS= read -r pair; do echo "export ${pair%%=*}='${pair#*=}'"; done < <(env_pairs)
  } >"$profile"
  install_file "$PROFILE_SCRIPT" "$profile" || true
}

# --- tools ------------------------------------------------------------------------------

reconcile_pip() {
  local wanted="$WORK_DIR/pip.conf"
  ini_set "$PIP_CONF" global proxy " = " "$HTTPS_PROXY_URL" >"$wanted.1"
  ini_set "$wanted.1" global cert " = " "$OS_BUNDLE" >"$wanted"
  install_file "$PIP_CONF" "$wanted" || true
}

reconcile_conda() {
  printf '# %s\nssl_verify: %s\n' "$MARK" "$OS_BUNDLE" >"$WORK_DIR/condarc"
  install_file "$CONDA_CONF" "$WORK_DIR/condarc" || true
}

# dirmngr takes its proxy from "http-proxy"; a keyserver-options http-proxy=
# is ignored by GnuPG 2.2+, so it is removed.
reconcile_dirmngr() {
  local wanted="$WORK_DIR/dirmngr.conf"
  [ -f "$DIRMNGR_CONF" ] && awk -v mark="# $MARK" '
    $0 == mark { next }
    /^[ \t]*(http-proxy|honor-http-proxy)([ \t]|$)/ { next }
    /^[ \t]*keyserver-options[ \t]/ {
      n = split($0, w, /[ \t,]+/); out = ""
      for (i = 2; i <= n; i++) if (w[i] != "" && w[i] !~ /^http-proxy(=|$)/) out = out " " w[i]
      if (out != "") print "keyserver-options" out
      next
    }
    { print }' "$DIRMNGR_CONF" >"$wanted"
  printf '# %s\nhttp-proxy %s\nhonor-http-proxy\n' "$MARK" "$HTTP_PROXY_URL" >>"$wanted"
  install_file "$DIRMNGR_CONF" "$wanted" || true
}

# Google APIs never cross the proxy: boto and gcloud follow the environment,
# so proxy settings of their own are removed where an image carries them.
reconcile_google_clients() {
  local root file="$WORK_DIR/boto.cfg"
  if [ -f "$BOTO_CONF" ]; then
    ini_drop_keys "$BOTO_CONF" Boto 'proxy|proxy_port|proxy_type|proxy_user|proxy_pass|proxy_rdns' >"$file"
    install_file "$BOTO_CONF" "$file" || true
  fi
  for root in "${GCLOUD_SDK_ROOTS[@]}"; do
    [ -f "$root/properties" ] || continue
    awk '/^[ \t]*\[[^]]*\]/ { skip = ($0 ~ /^[ \t]*\[proxy\]/) } !skip { print }' \
      "$root/properties" >"$WORK_DIR/gcloud.properties"
    install_file "$root/properties" "$WORK_DIR/gcloud.properties" || true
  done
}

reconcile_tools() {
  reconcile_pip
  reconcile_conda
  reconcile_dirmngr
  reconcile_google_clients
}

# --- systemd ---------------------------------------------------------------------------

reconcile_systemd() {
  local wanted="$WORK_DIR/manager.conf" unit pair manager_changed=0 line=""
  local -a restart=()
  while IFS= read -r pair; do line+="${line:+ }\"$pair\""; done < <(env_pairs)
  printf '# %s\n[Manager]\nDefaultEnvironment=%s\n' "$MARK" "$line" >"$wanted"
  install_file "$MANAGER_DROPIN" "$wanted" && manager_changed=1

  line=""
  while IFS= read -r pair; do
    [[ $pair == *_proxy=* || $pair == *_PROXY=* ]] && line+="${line:+ }\"$pair\""
  done < <(env_pairs)
  printf '# %s\n[Service]\nEnvironment=%s\n' "$MARK" "$line" >"$WORK_DIR/unit.conf"
  for unit in "${PROXY_UNITS[@]}"; do
    if install_file "/etc/systemd/system/$unit.service.d/dpgce-proxy.conf" "$WORK_DIR/unit.conf" ||
      ((manager_changed)); then
      restart+=("$unit.service")
    fi
  done

  if ((${#restart[@]} == 0)); then
    info "systemd: no drop-in changed; nothing to reload"
  elif [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null; then
    info "systemd is not running (no /run/systemd/system): skipped the manager reload and restarts of ${restart[*]}"
  else
    if ((manager_changed)); then systemctl daemon-reexec; else systemctl daemon-reload; fi
    info "systemd: manager reloaded"
    for unit in "${restart[@]}"; do
      if systemctl is-active --quiet "$unit"; then
        systemctl restart "$unit"
        info "systemd: restarted $unit (it was running)"
      fi
    done
  fi
}

# --- main ---------------------------------------------------------------------------------

detect_os() {
  local key value id_like=""
  [ -r /etc/os-release ] || die "cannot read /etc/os-release"
  while IFS='=' read -r key value; do
    value=${value#\"}
    value=${value%\"}
    case $key in
      ID) OS_ID=$value ;;
      ID_LIKE) id_like=$value ;;
      VERSION_ID) OS_VERSION=$value ;;
    esac
  done </etc/os-release
  case "$OS_ID $id_like" in
    debian* | ubuntu* | *" debian"*)
      OS_FAMILY=debian
      OS_BUNDLE=/etc/ssl/certs/ca-certificates.crt
      CA_ANCHOR="/usr/local/share/ca-certificates/$CA_NAME.crt"
      ;;
    rocky* | rhel* | centos* | almalinux* | *" rhel"*)
      OS_FAMILY=rhel
      OS_BUNDLE=/etc/pki/tls/certs/ca-bundle.crt
      CA_ANCHOR="/etc/pki/ca-trust/source/anchors/$CA_NAME.pem"
      ;;
    *) die "unsupported OS '$OS_ID' (supported: Debian 11/12, Ubuntu 20.04/22.04/24.04, Rocky 8/9)" ;;
  esac
  case "$OS_ID:${OS_VERSION%%.*}" in
    debian:11 | debian:12 | ubuntu:20 | ubuntu:22 | ubuntu:24 | rocky:8 | rocky:9) ;;
    *) warn "OS $OS_ID $OS_VERSION is not a Dataproc 2.x image line; continuing as $OS_FAMILY" ;;
  esac
  info "OS: $OS_ID $OS_VERSION ($OS_FAMILY family)"
}

storage_endpoint() {
  local host=${STORAGE_EMULATOR_HOST:-https://storage.googleapis.com}
  [[ $host == *://* ]] || host="http://$host"
  host=${host%/}
  printf '%s\n' "${host%/storage/v1}"
}

cleanup() {
  if [ -n "$WORK_DIR" ]; then rm -rf "$WORK_DIR"; fi
}

main() {
  (($# == 0)) || die "usage: $0 (no arguments; configuration comes from metadata)"
  [ "$(id -u)" = 0 ] || die "must run as root"
  METADATA_ROOT="http://${GCE_METADATA_HOST:-metadata.google.internal}/computeMetadata/v1"
  METADATA_DEADLINE=${DPGCE_METADATA_TIMEOUT:-30}
  [[ $METADATA_DEADLINE =~ ^[0-9]+$ ]] || die "DPGCE_METADATA_TIMEOUT=$METADATA_DEADLINE: not a number of seconds"
  STORAGE_ENDPOINT=$(storage_endpoint)
  WORK_DIR=$(mktemp -d)
  trap cleanup EXIT

  exec 9>>"$LOCK_FILE"
  flock -w 300 9 || die "another run holds $LOCK_FILE"
  detect_os

  step "${STEPS[0]}: read metadata (instance, then project)"
  read_metadata
  step "${STEPS[1]}: fetch and check the proxy CA (direct, not via the proxy)"
  fetch_ca
  step "${STEPS[2]}: test the proxy with the candidate trust store"
  proxy_check
  step "${STEPS[3]}: package managers"
  reconcile_package_managers
  step "${STEPS[4]}: OS trust store"
  reconcile_trust_store
  step "${STEPS[5]}: Java keystores"
  reconcile_java
  step "${STEPS[6]}: /etc/environment and profile script"
  reconcile_environment
  step "${STEPS[7]}: pip, conda, dirmngr, boto and gcloud"
  reconcile_tools
  step "${STEPS[8]}: systemd drop-ins"
  reconcile_systemd
  step "${STEPS[9]}: self-test through the proxy with the installed trust store"
  self_test

  if ((${#CHANGED[@]} == 0)); then
    info "done: no file changed"
  else
    info "done: changed ${CHANGED[*]}"
  fi
}

main "$@"
